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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small but real Hugging Face tokenizer folders for tests: a byte-level BPE model as Qwen2 and Llama 3 use
 * (ByteLevel pre-tokenizer and decoder, a Split regex, a few dozen merges including ones that cut UTF-8 characters)
 * with the special tokens and published chat template of each model family.
 */
public final class TestTokenizers {
    enum Style {
        QWEN2_5("qwen2.5.jinja"),
        LLAMA3_1("llama3.1.jinja"),
        LLAMA3_2("llama3.2.jinja"),
        DEEPSEEK_R1_DISTILL("deepseek_r1_distill.jinja"),
        MISTRAL("mistral_v0.3.jinja");

        final String templateFile;

        Style(String templateFile) {
            this.templateFile = templateFile;
        }
    }

    static final String QWEN_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    static final List<String> SPECIAL_TOKENS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>",
            "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
            "<|eom_id|>", "<|python_tag|>", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>",
            "<｜Assistant｜>", "<s>", "</s>", "<unk>", "[INST]", "[/INST]");

    /** Merges (in priority order); the last ones create tokens that end or start inside a UTF-8 character. */
    static final String[][] MERGES = {
        {"Ġ", "t"}, {"h", "e"}, {"Ġt", "he"}, {"i", "n"}, {"Ġ", "a"}, {"e", "r"}, {"o", "n"}, {"a", "n"},
        {"Ġ", "s"}, {"r", "e"}, {"t", "h"}, {"Ġ", "w"}, {"s", "t"}, {"Ġ", "i"}, {"o", "u"},
        {"Ċ", "Ċ"}, {"Ġ", "Ġ"}, {"ĠĠ", "ĠĠ"}, {"Ġ", "x"}, {"a", "s"}, {"i", "s"}, {"Ġi", "s"}, {"w", "h"},
        {"Ġ", "2"}, {"1", "2"}, {"Ġ", "="}, {"Ã", "©"}, {"a", "Ã"}, {"æ", "ķ"}, {"ç", "ļ"}, {"ð", "Ł"},
        {"ðŁ", "ĺ"}, {"Ġ", "ð"},
    };

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private TestTokenizers() {
    }

    /** GPT-2's reversible byte-to-unicode map (a copy): byte b is written as character {@code byteChars()[b]}. */
    public static char[] byteChars() {
        return BYTE_CHARS.clone();
    }

    /** GPT-2's reversible byte-to-unicode map: byte b is written as character BYTE_CHARS[b]. */
    private static final char[] BYTE_CHARS = new char[256];

    static {
        List<Integer> printable = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            printable.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable.add(b);
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (printable.contains(b)) {
                BYTE_CHARS[b] = (char) b;
            } else {
                BYTE_CHARS[b] = (char) (256 + n++);
            }
        }
    }

    static Path write(Path folder, Style style) {
        try {
            Files.createDirectories(folder);
            Map<String, Integer> vocab = new LinkedHashMap<>();
            for (int b = 0; b < 256; b++) {
                vocab.put(String.valueOf(BYTE_CHARS[b]), b);
            }
            JsonArray merges = new JsonArray();
            for (String[] merge : MERGES) {
                if (merge[1].isEmpty() || !vocab.containsKey(merge[0]) || !vocab.containsKey(merge[1])) {
                    continue;
                }
                String merged = merge[0] + merge[1];
                vocab.putIfAbsent(merged, vocab.size());
                merges.add(merge[0] + " " + merge[1]);
            }
            JsonArray added = new JsonArray();
            for (String token : SPECIAL_TOKENS) {
                int id = vocab.size();
                vocab.put(token, id);
                JsonObject a = new JsonObject();
                a.addProperty("id", id);
                a.addProperty("content", token);
                a.addProperty("single_word", false);
                a.addProperty("lstrip", false);
                a.addProperty("rstrip", false);
                a.addProperty("normalized", false);
                a.addProperty("special", true);
                added.add(a);
            }
            boolean llama = style == Style.LLAMA3_1 || style == Style.LLAMA3_2;
            JsonObject tokenizer = new JsonObject();
            tokenizer.addProperty("version", "1.0");
            tokenizer.add("truncation", JsonNull.INSTANCE);
            tokenizer.add("padding", JsonNull.INSTANCE);
            tokenizer.add("added_tokens", added);
            if (llama) {
                tokenizer.add("normalizer", JsonNull.INSTANCE);
            } else {
                JsonObject nfc = new JsonObject();
                nfc.addProperty("type", "NFC");
                tokenizer.add("normalizer", nfc);
            }
            JsonObject split = new JsonObject();
            split.addProperty("type", "Split");
            JsonObject pattern = new JsonObject();
            pattern.addProperty("Regex", llama ? LLAMA3_REGEX : QWEN_REGEX);
            split.add("pattern", pattern);
            split.addProperty("behavior", "Isolated");
            split.addProperty("invert", false);
            JsonArray pre = new JsonArray();
            pre.add(split);
            pre.add(byteLevel());
            JsonObject preTokenizer = new JsonObject();
            preTokenizer.addProperty("type", "Sequence");
            preTokenizer.add("pretokenizers", pre);
            tokenizer.add("pre_tokenizer", preTokenizer);
            if (llama) {
                tokenizer.add("post_processor", llamaPostProcessor(vocab.get("<|begin_of_text|>")));
            } else {
                tokenizer.add("post_processor", byteLevel());
            }
            tokenizer.add("decoder", byteLevel());
            JsonObject model = new JsonObject();
            model.addProperty("type", "BPE");
            model.add("dropout", JsonNull.INSTANCE);
            model.add("unk_token", JsonNull.INSTANCE);
            model.addProperty("continuing_subword_prefix", "");
            model.addProperty("end_of_word_suffix", "");
            model.addProperty("fuse_unk", false);
            model.addProperty("byte_fallback", false);
            model.addProperty("ignore_merges", llama);
            JsonObject vocabJson = new JsonObject();
            vocab.forEach(vocabJson::addProperty);
            model.add("vocab", vocabJson);
            model.add("merges", merges);
            tokenizer.add("model", model);
            Files.writeString(folder.resolve("tokenizer.json"), GSON.toJson(tokenizer), StandardCharsets.UTF_8);
            Files.writeString(folder.resolve("tokenizer_config.json"), GSON.toJson(config(style, added)),
                    StandardCharsets.UTF_8);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonObject config(Style style, JsonArray added) {
        JsonObject config = new JsonObject();
        JsonObject decoder = new JsonObject();
        for (var element : added) {
            JsonObject token = element.getAsJsonObject().deepCopy();
            String id = token.remove("id").getAsString();
            decoder.add(id, token);
        }
        config.add("added_tokens_decoder", decoder);
        switch (style) {
            case QWEN2_5:
                config.add("bos_token", JsonNull.INSTANCE);
                config.addProperty("eos_token", "<|im_end|>");
                config.addProperty("pad_token", "<|endoftext|>");
                break;
            case LLAMA3_1:
            case LLAMA3_2:
                config.addProperty("bos_token", "<|begin_of_text|>");
                config.addProperty("eos_token", "<|eot_id|>");
                break;
            case DEEPSEEK_R1_DISTILL: {
                JsonObject bos = new JsonObject();
                bos.addProperty("__type", "AddedToken");
                bos.addProperty("content", "<｜begin▁of▁sentence｜>");
                config.add("bos_token", bos);
                JsonObject eos = bos.deepCopy();
                eos.addProperty("content", "<｜end▁of▁sentence｜>");
                config.add("eos_token", eos);
                config.add("pad_token", eos.deepCopy());
                break;
            }
            case MISTRAL:
                config.addProperty("bos_token", "<s>");
                config.addProperty("eos_token", "</s>");
                config.addProperty("unk_token", "<unk>");
                break;
            default:
                throw new IllegalStateException();
        }
        config.addProperty("model_max_length", 131072);
        config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        config.addProperty("chat_template", ChatTemplateReferenceTest.resource("templates/" + style.templateFile));
        return config;
    }

    private static JsonObject byteLevel() {
        JsonObject b = new JsonObject();
        b.addProperty("type", "ByteLevel");
        b.addProperty("add_prefix_space", false);
        b.addProperty("trim_offsets", false);
        b.addProperty("use_regex", false);
        return b;
    }

    private static JsonObject llamaPostProcessor(int bosId) {
        JsonObject bosRef = new JsonObject();
        JsonObject special = new JsonObject();
        special.addProperty("id", "<|begin_of_text|>");
        special.addProperty("type_id", 0);
        bosRef.add("SpecialToken", special);
        JsonObject seqA = new JsonObject();
        JsonObject seq = new JsonObject();
        seq.addProperty("id", "A");
        seq.addProperty("type_id", 0);
        seqA.add("Sequence", seq);
        JsonArray single = new JsonArray();
        single.add(bosRef);
        single.add(seqA);
        JsonArray pair = new JsonArray();
        pair.add(bosRef.deepCopy());
        pair.add(seqA.deepCopy());
        JsonObject seqB = new JsonObject();
        JsonObject seqBody = new JsonObject();
        seqBody.addProperty("id", "B");
        seqBody.addProperty("type_id", 1);
        seqB.add("Sequence", seqBody);
        pair.add(bosRef.deepCopy());
        pair.add(seqB);
        JsonObject tokens = new JsonObject();
        JsonObject bos = new JsonObject();
        bos.addProperty("id", "<|begin_of_text|>");
        JsonArray ids = new JsonArray();
        ids.add(bosId);
        bos.add("ids", ids);
        JsonArray toks = new JsonArray();
        toks.add("<|begin_of_text|>");
        bos.add("tokens", toks);
        tokens.add("<|begin_of_text|>", bos);
        JsonObject template = new JsonObject();
        template.addProperty("type", "TemplateProcessing");
        template.add("single", single);
        template.add("pair", pair);
        template.add("special_tokens", tokens);
        JsonArray processors = new JsonArray();
        processors.add(byteLevel());
        processors.add(template);
        JsonObject sequence = new JsonObject();
        sequence.addProperty("type", "Sequence");
        sequence.add("processors", processors);
        return sequence;
    }
}
