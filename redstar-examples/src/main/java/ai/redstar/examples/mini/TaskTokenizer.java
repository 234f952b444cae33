package ai.redstar.examples.mini;

import ai.redstar.core.tokenizer.TokenizerFiles;
import ai.redstar.data.problem.PromptTemplate;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes the miniature's tokenizer folder in the Hugging Face format ({@code tokenizer.json} and
 * {@code tokenizer_config.json} with the ChatML template), read by {@code ChatTokenizer.load}, transformers and any
 * other consumer: every printable ASCII character and the newline is a token, and so is each fixed phrase of the
 * {@link AdditionTeacher}'s traces, of the prompt ({@link PromptTemplate#MATH_INSTRUCTION}) and of the ChatML
 * scaffolding. Digits are single tokens; a conversation takes fewer than a third as many tokens as characters.
 *
 * <p>How: a WordLevel model behind a Split pre-tokenizer whose regex tries the phrases longest first, then any one
 * character; a concatenating decoder, so decoding gives back the exact text. Special tokens {@code <|endoftext|>}
 * (padding), {@code <|im_start|>}, {@code <|im_end|>} (end of sequence) and {@code <unk>} (any character outside the
 * vocabulary) are matched whole.
 *
 * <p>Stateless and thread-safe.
 */
public final class TaskTokenizer {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>",
            TokenizerFiles.UNKNOWN_TOKEN);
    private static final String REGEX_META = "\\.^$|?*+()[]{}";

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
        List<String> problems = new ArrayList<>();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String s : SPECIALS) {
            vocab.put(s, vocab.size());
        }
        for (String p : phrases) {
            if (p == null || p.length() < 2) {
                problems.add("phrase " + (p == null ? "null" : "\"" + p + "\"") + " is shorter than two characters");
            } else if (vocab.containsKey(p)) {
                problems.add("phrase \"" + p + "\" is given twice or is a special token");
            } else {
                vocab.put(p, vocab.size());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot write a task tokenizer to " + folder + ": "
                    + String.join("; ", problems));
        }
        vocab.put("\n", vocab.size());
        for (char c = ' '; c <= '~'; c++) {
            vocab.put(String.valueOf(c), vocab.size());
        }

        List<String> longestFirst = new ArrayList<>(phrases);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder regex = new StringBuilder();
        for (String p : longestFirst) {
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (REGEX_META.indexOf(c) >= 0) {
                    regex.append('\\');
                }
                regex.append(c);
            }
            regex.append('|');
        }
        regex.append("[\\s\\S]");

        JsonArray added = new JsonArray();
        JsonObject decoderConfig = new JsonObject();
        for (String token : SPECIALS) {
            JsonObject a = new JsonObject();
            a.addProperty("id", vocab.get(token));
            a.addProperty("content", token);
            a.addProperty("single_word", false);
            a.addProperty("lstrip", false);
            a.addProperty("rstrip", false);
            a.addProperty("normalized", false);
            a.addProperty("special", true);
            added.add(a);
            JsonObject c = a.deepCopy();
            c.remove("id");
            decoderConfig.add(Integer.toString(vocab.get(token)), c);
        }
        JsonObject tokenizer = new JsonObject();
        tokenizer.addProperty("version", "1.0");
        tokenizer.add("truncation", JsonNull.INSTANCE);
        tokenizer.add("padding", JsonNull.INSTANCE);
        tokenizer.add("added_tokens", added);
        tokenizer.add("normalizer", JsonNull.INSTANCE);
        JsonObject split = new JsonObject();
        split.addProperty("type", "Split");
        JsonObject pattern = new JsonObject();
        pattern.addProperty("Regex", regex.toString());
        split.add("pattern", pattern);
        split.addProperty("behavior", "Isolated");
        split.addProperty("invert", false);
        tokenizer.add("pre_tokenizer", split);
        tokenizer.add("post_processor", JsonNull.INSTANCE);
        JsonObject fuse = new JsonObject();
        fuse.addProperty("type", "Fuse");
        tokenizer.add("decoder", fuse);
        JsonObject model = new JsonObject();
        model.addProperty("type", "WordLevel");
        JsonObject vocabJson = new JsonObject();
        vocab.forEach(vocabJson::addProperty);
        model.add("vocab", vocabJson);
        model.addProperty("unk_token", TokenizerFiles.UNKNOWN_TOKEN);
        tokenizer.add("model", model);

        JsonObject config = new JsonObject();
        config.add("added_tokens_decoder", decoderConfig);
        config.add("bos_token", JsonNull.INSTANCE);
        config.addProperty("eos_token", "<|im_end|>");
        config.addProperty("pad_token", "<|endoftext|>");
        config.addProperty("unk_token", TokenizerFiles.UNKNOWN_TOKEN);
        config.addProperty("clean_up_tokenization_spaces", false);
        config.addProperty("model_max_length", 1_000_000_000);
        config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        config.addProperty("chat_template", TokenizerFiles.CHATML_TEMPLATE);
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("tokenizer.json"), GSON.toJson(tokenizer) + "\n", StandardCharsets.UTF_8);
            Files.writeString(folder.resolve("tokenizer_config.json"), GSON.toJson(config) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer files to " + folder + ": " + e.getMessage(), e);
        }
        return folder;
    }
}
