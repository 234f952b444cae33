package ai.redstar.data.sample;

import ai.djl.Device;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.tokenizer.TestTokenizers;
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
import java.util.List;

/**
 * A tiny local teacher for tests: a byte-level tokenizer (256 byte tokens and three ChatML special tokens) whose
 * chat template opens {@code <think>} in the generation prompt, and a random 2-layer Qwen2 model over it.
 */
public final class TinyTeacher {
    public static final List<String> SPECIAL = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
    public static final String TEMPLATE = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' "
            + "+ message['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n<think>\\n' }}{% endif %}";

    private TinyTeacher() {
    }

    /** Writes tokenizer.json and tokenizer_config.json into {@code folder}. */
    public static Path writeTokenizer(Path folder) {
        try {
            Files.createDirectories(folder);
            char[] byteChars = TestTokenizers.byteChars();
            JsonObject vocab = new JsonObject();
            for (int b = 0; b < 256; b++) {
                vocab.addProperty(String.valueOf(byteChars[b]), b);
            }
            JsonArray added = new JsonArray();
            JsonObject decoderConfig = new JsonObject();
            for (int i = 0; i < SPECIAL.size(); i++) {
                int id = 256 + i;
                vocab.addProperty(SPECIAL.get(i), id);
                JsonObject a = new JsonObject();
                a.addProperty("id", id);
                a.addProperty("content", SPECIAL.get(i));
                a.addProperty("single_word", false);
                a.addProperty("lstrip", false);
                a.addProperty("rstrip", false);
                a.addProperty("normalized", false);
                a.addProperty("special", true);
                added.add(a);
                JsonObject d = a.deepCopy();
                d.remove("id");
                decoderConfig.add(String.valueOf(id), d);
            }
            JsonObject byteLevel = new JsonObject();
            byteLevel.addProperty("type", "ByteLevel");
            byteLevel.addProperty("add_prefix_space", false);
            byteLevel.addProperty("trim_offsets", false);
            byteLevel.addProperty("use_regex", true);
            JsonObject model = new JsonObject();
            model.addProperty("type", "BPE");
            model.add("dropout", JsonNull.INSTANCE);
            model.add("unk_token", JsonNull.INSTANCE);
            model.addProperty("continuing_subword_prefix", "");
            model.addProperty("end_of_word_suffix", "");
            model.addProperty("fuse_unk", false);
            model.addProperty("byte_fallback", false);
            model.addProperty("ignore_merges", false);
            model.add("vocab", vocab);
            model.add("merges", new JsonArray());
            JsonObject tokenizer = new JsonObject();
            tokenizer.addProperty("version", "1.0");
            tokenizer.add("truncation", JsonNull.INSTANCE);
            tokenizer.add("padding", JsonNull.INSTANCE);
            tokenizer.add("added_tokens", added);
            tokenizer.add("normalizer", JsonNull.INSTANCE);
            tokenizer.add("pre_tokenizer", byteLevel);
            tokenizer.add("post_processor", byteLevel);
            tokenizer.add("decoder", byteLevel);
            tokenizer.add("model", model);
            JsonObject config = new JsonObject();
            config.add("added_tokens_decoder", decoderConfig);
            config.addProperty("eos_token", "<|im_end|>");
            config.addProperty("pad_token", "<|endoftext|>");
            config.addProperty("chat_template", TEMPLATE);
            var gson = new GsonBuilder().disableHtmlEscaping().create();
            Files.writeString(folder.resolve("tokenizer.json"), gson.toJson(tokenizer), StandardCharsets.UTF_8);
            Files.writeString(folder.resolve("tokenizer_config.json"), gson.toJson(config), StandardCharsets.UTF_8);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A random Qwen2 model over the tokenizer's 259 ids that stops at {@code <|im_end|>} (id 258). */
    public static CausalLm model(long seed) {
        ModelConfig config = ModelConfig.builder(ModelType.QWEN2).vocabSize(259).hiddenSize(32).intermediateSize(64)
                .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).tieWordEmbeddings(true)
                .maxPositionEmbeddings(512).eosTokenIds(List.of(258)).build();
        return CausalLm.randomInit(config, seed, Device.cpu());
    }
}
