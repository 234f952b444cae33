package ai.redstar.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import com.google.gson.JsonArray;
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
import java.util.SplittableRandom;

/** Tiny models, tokenizers and data for the trainer tests. */
final class TinySft {
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 +=?.";

    private TinySft() {}

    static ModelConfig config(int vocab) {
        return ModelConfig.builder(ModelType.QWEN2).vocabSize(vocab).hiddenSize(32).intermediateSize(64)
                .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).tieWordEmbeddings(true).build();
    }

    static CausalLm model(int vocab, long seed) {
        return CausalLm.randomInit(config(vocab), seed, Device.cpu());
    }

    static ChatTokenizer tokenizer(Path dir) {
        TokenizerFiles.writeCharLevel(dir.resolve("tok"), ALPHABET, List.of());
        return ChatTokenizer.load(dir.resolve("tok"));
    }

    /** A {"messages": [user, assistant]} line. */
    static String chat(String user, String assistant) {
        JsonObject o = new JsonObject();
        JsonArray messages = new JsonArray();
        messages.add(message("user", user));
        messages.add(message("assistant", assistant));
        o.add("messages", messages);
        return o.toString();
    }

    static JsonObject message(String role, String content) {
        JsonObject m = new JsonObject();
        m.addProperty("role", role);
        m.addProperty("content", content);
        return m;
    }

    static Path write(Path file, List<String> lines) {
        try {
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Random token examples: ids in [1, vocab), the first {@code prompt} tokens unlearned. */
    static List<TokenizedExample> randomExamples(int count, int minLength, int maxLength, int vocab, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TokenizedExample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = random.nextInt(minLength, maxLength + 1);
            int[] ids = new int[n];
            boolean[] mask = new boolean[n];
            int prompt = random.nextInt(1, Math.max(2, n / 2));
            for (int t = 0; t < n; t++) {
                ids[t] = random.nextInt(1, vocab);
                mask[t] = t >= prompt;
            }
            out.add(new TokenizedExample(ids, mask));
        }
        return out;
    }

    /** Copies of the parameters' values. */
    static Map<String, float[]> snapshot(Map<String, NDArray> parameters) {
        Map<String, float[]> out = new LinkedHashMap<>();
        parameters.forEach((name, p) -> out.put(name, p.toFloatArray()));
        return out;
    }
}
