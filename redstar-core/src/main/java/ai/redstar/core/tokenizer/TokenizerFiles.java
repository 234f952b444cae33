package ai.redstar.core.tokenizer;

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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Writes tokenizer folders made for a task (a toy language, arithmetic, a test) in the Hugging Face format, so
 * that {@link ChatTokenizer}, transformers and every other consumer of {@code tokenizer.json} read them.
 */
public final class TokenizerFiles {
    /** The ChatML template {@link #writeCharLevel} puts in {@code tokenizer_config.json}. */
    public static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** The unknown-character token of character-level tokenizers. */
    public static final String UNKNOWN_TOKEN = "<unk>";

    private static final List<String> CHATML_MARKERS = List.of("<|im_start|>", "<|im_end|>");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private TokenizerFiles() {
    }

    /**
     * Writes (overwriting) {@code tokenizer.json} and {@code tokenizer_config.json} of a character-level tokenizer:
     * one token per Unicode character (a WordLevel model behind a Split pre-tokenizer that isolates every
     * character, with a concatenating decoder), special tokens matched whole, and the ChatML chat template
     * {@link #CHATML_TEMPLATE}.
     *
     * <p>Token ids, in order: the given special tokens; {@code <|im_start|>}, {@code <|im_end|>} and
     * {@value #UNKNOWN_TOKEN} unless given; the characters of {@code alphabet} in order; then the characters the
     * ChatML scaffolding writes that the alphabet lacks ({@code \n} and the letters of system, user, assistant,
     * tool), in code point order. Characters outside the vocabulary encode as {@value #UNKNOWN_TOKEN}. The EOS token
     * is {@code <|im_end|>}; the padding token is {@code <|endoftext|>} when it is among the special tokens, else
     * {@code <|im_end|>}; there is no BOS token.
     *
     * @param folder created if missing
     * @param alphabet the characters of the task's text, each once
     * @param specialTokens extra special tokens (such as {@code <|endoftext|>} or {@code <think>}), each at least
     *     two characters long
     * @return {@code folder}
     * @throws IllegalArgumentException naming the offending character or token when the alphabet repeats a
     *     character or holds an unpaired surrogate, or a special token is repeated, shorter than two characters or
     *     blank
     * @throws UncheckedIOException when the files cannot be written
     */
    public static Path writeCharLevel(Path folder, String alphabet, List<String> specialTokens) {
        return writePhraseLevel(folder, alphabet, List.of(), specialTokens);
    }

    /**
     * Writes (overwriting) a tokenizer like {@link #writeCharLevel}'s in which each of {@code phrases} is also one
     * token: the task's frequent words and fixed sentences ("The answer is ", a question's text) take one token instead
     * of one per character, so sequences are several times shorter. The Split pre-tokenizer's regex tries the phrases
     * longest first at every position, then any one character; decoding concatenates, so {@code decode(encode(text))}
     * gives back {@code text} for text inside the vocabulary.
     *
     * <p>Token ids, in order: the special tokens as for {@link #writeCharLevel}; the phrases in the given order; the
     * characters of {@code alphabet}; the ChatML scaffolding characters the alphabet lacks.
     *
     * @param phrases multi-character tokens, each at least two characters, none repeated, none a special token
     * @throws IllegalArgumentException naming every offending character, phrase or special token
     * @throws UncheckedIOException when the files cannot be written
     */
    public static Path writePhraseLevel(Path folder, String alphabet, List<String> phrases,
            List<String> specialTokens) {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(alphabet, "alphabet");
        Objects.requireNonNull(phrases, "phrases");
        Objects.requireNonNull(specialTokens, "specialTokens");
        List<String> problems = new ArrayList<>();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> specials = new ArrayList<>();
        for (String token : specialTokens) {
            if (token == null || token.isBlank() || token.codePointCount(0, token.length()) < 2) {
                problems.add("special token " + (token == null ? "null" : "'" + token + "'")
                        + " must have at least two characters and not be blank");
            } else if (specials.contains(token)) {
                problems.add("special token '" + token + "' is given twice");
            } else {
                specials.add(token);
            }
        }
        for (String marker : CHATML_MARKERS) {
            if (!specials.contains(marker)) {
                specials.add(marker);
            }
        }
        if (!specials.contains(UNKNOWN_TOKEN)) {
            specials.add(UNKNOWN_TOKEN);
        }
        for (String token : specials) {
            vocab.put(token, vocab.size());
        }
        List<String> multi = new ArrayList<>();
        for (String phrase : phrases) {
            if (phrase == null || phrase.codePointCount(0, phrase.length()) < 2) {
                problems.add("phrase " + (phrase == null ? "null" : PyOps.reprString(phrase))
                        + " must have at least two characters");
            } else if (specials.contains(phrase)) {
                problems.add("phrase " + PyOps.reprString(phrase) + " is also a special token");
            } else if (vocab.containsKey(phrase)) {
                problems.add("phrase " + PyOps.reprString(phrase) + " is given twice");
            } else {
                vocab.put(phrase, vocab.size());
                multi.add(phrase);
            }
        }
        for (int i = 0; i < alphabet.length(); ) {
            int cp = alphabet.codePointAt(i);
            if (Character.isSurrogate(alphabet.charAt(i)) && Character.charCount(cp) == 1) {
                problems.add("alphabet has an unpaired surrogate at index " + i);
                i++;
                continue;
            }
            String ch = new String(Character.toChars(cp));
            if (vocab.containsKey(ch)) {
                problems.add("alphabet has " + PyOps.reprString(ch) + " twice (at index " + i + ")");
            } else {
                vocab.put(ch, vocab.size());
            }
            i += Character.charCount(cp);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot write a tokenizer to " + folder + ": "
                    + String.join("; ", problems));
        }
        TreeSet<Integer> scaffolding = new TreeSet<>();
        ("\nsystemuserassistanttool").codePoints().forEach(scaffolding::add);
        for (int cp : scaffolding) {
            vocab.putIfAbsent(new String(Character.toChars(cp)), vocab.size());
        }

        JsonArray added = new JsonArray();
        JsonObject decoderConfig = new JsonObject();
        for (String token : specials) {
            JsonObject a = addedToken(token);
            JsonObject ordered = new JsonObject();
            ordered.addProperty("id", vocab.get(token));
            for (Map.Entry<String, com.google.gson.JsonElement> e : a.entrySet()) {
                ordered.add(e.getKey(), e.getValue());
            }
            added.add(ordered);
            decoderConfig.add(Integer.toString(vocab.get(token)), a);
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
        pattern.addProperty("Regex", phraseRegex(multi));
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
        model.addProperty("unk_token", UNKNOWN_TOKEN);
        tokenizer.add("model", model);

        JsonObject config = new JsonObject();
        config.add("added_tokens_decoder", decoderConfig);
        config.add("bos_token", JsonNull.INSTANCE);
        config.addProperty("eos_token", "<|im_end|>");
        config.addProperty("pad_token", specials.contains("<|endoftext|>") ? "<|endoftext|>" : "<|im_end|>");
        config.addProperty("unk_token", UNKNOWN_TOKEN);
        config.addProperty("clean_up_tokenization_spaces", false);
        config.addProperty("model_max_length", 1_000_000_000);
        config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        config.addProperty("chat_template", CHATML_TEMPLATE);

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

    /** The phrases as literal alternatives, longest first (so a phrase beats its own prefix), then any character. */
    static String phraseRegex(List<String> phrases) {
        List<String> sorted = new ArrayList<>(phrases);
        sorted.sort(Comparator.comparingInt((String p) -> p.codePointCount(0, p.length())).reversed());
        StringBuilder regex = new StringBuilder();
        for (String phrase : sorted) {
            phrase.codePoints().forEach(cp -> {
                if (cp < 128 && !Character.isLetterOrDigit(cp) && cp != ' ' && cp != '\n') {
                    regex.append('\\');
                }
                regex.appendCodePoint(cp);
            });
            regex.append('|');
        }
        return regex.append("[\\s\\S]").toString();
    }

    private static JsonObject addedToken(String token) {
        JsonObject a = new JsonObject();
        a.addProperty("content", token);
        a.addProperty("single_word", false);
        a.addProperty("lstrip", false);
        a.addProperty("rstrip", false);
        a.addProperty("normalized", false);
        a.addProperty("special", true);
        return a;
    }
}
