package ai.redstar.examples.mini;

import ai.redstar.core.tokenizer.TokenizerFiles;
import ai.redstar.data.problem.PromptTemplate;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes the miniature's tokenizer folder in the Hugging Face format ({@code tokenizer.json} and
 * {@code tokenizer_config.json} with the ChatML template), read by {@code ChatTokenizer.load}, transformers and any
 * other consumer: every printable ASCII character and the newline is a token, and so is each fixed phrase of the
 * {@link AdditionTeacher}'s traces, of the prompt ({@link PromptTemplate#MATH_INSTRUCTION}) and of the ChatML
 * scaffolding. Digits are single tokens; a conversation takes fewer than a third as many tokens as characters.
 *
 * <p>How: {@link TokenizerFiles#writePhraseLevel} — a WordLevel model behind a Split pre-tokenizer whose regex tries
 * the phrases longest first, then any one character; a concatenating decoder, so decoding gives back the exact text. Special tokens {@code <|endoftext|>}
 * (padding), {@code <|im_start|>}, {@code <|im_end|>} (end of sequence) and {@code <unk>} (any character outside the
 * vocabulary) are matched whole.
 *
 * <p>Stateless and thread-safe.
 */
public final class TaskTokenizer {
    private static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>",
            TokenizerFiles.UNKNOWN_TOKEN);

    private TaskTokenizer() {
    }

    /** The multi-character tokens of the addition task: the teacher's phrases, the prompt's and ChatML's. */
    public static List<String> additionPhrases() {
        Set<String> p = new LinkedHashSet<>(AdditionTeacher.phrases());
        p.add("Compute ");
        p.add("\n\n" + PromptTemplate.MATH_INSTRUCTION);
        p.add("system\n");
        p.add("user\n");
        p.add("assistant\n");
        return List.copyOf(p);
    }

    /** Writes the addition task's tokenizer ({@link #additionPhrases()}) into {@code folder}. */
    public static Path write(Path folder) {
        return write(folder, additionPhrases());
    }

    /**
     * Writes (overwriting) {@code tokenizer.json} and {@code tokenizer_config.json} into {@code folder} (created if
     * missing). Token ids: the special tokens, then {@code phrases} in order, then the characters {@code \n} and
     * {@code ' '} to {@code '~'}.
     *
     * @param phrases multi-character tokens, each at least two characters, none repeated
     * @throws IllegalArgumentException naming a phrase that is shorter than two characters, repeated, or a special
     *     token
     */
    public static Path write(Path folder, List<String> phrases) {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(phrases, "phrases");
        StringBuilder alphabet = new StringBuilder("\n");
        for (char c = ' '; c <= '~'; c++) {
            alphabet.append(c);
        }
        return TokenizerFiles.writePhraseLevel(folder, alphabet.toString(), phrases, SPECIALS);
    }
}
