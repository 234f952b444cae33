package ai.redstar.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
    /** Qwen2.5-0.5B's config.json. */
    static final String QWEN25_05B = """
            {
              "architectures": ["Qwen2ForCausalLM"],
              "attention_dropout": 0.0,
              "bos_token_id": 151643,
              "eos_token_id": 151643,
              "hidden_act": "silu",
              "hidden_size": 896,
              "initializer_range": 0.02,
              "intermediate_size": 4864,
              "max_position_embeddings": 32768,
              "max_window_layers": 24,
              "model_type": "qwen2",
              "num_attention_heads": 14,
              "num_hidden_layers": 24,
              "num_key_value_heads": 2,
              "rms_norm_eps": 1e-06,
              "rope_theta": 1000000.0,
              "sliding_window": 32768,
              "tie_word_embeddings": true,
              "torch_dtype": "bfloat16",
              "transformers_version": "4.40.1",
              "use_cache": true,
              "use_sliding_window": false,
              "vocab_size": 151936
            }
            """;

    /** Llama-3.2-1B-Instruct's config.json (llama3 RoPE scaling, several eos ids, explicit head_dim). */
    static final String LLAMA32_1B = """
            {
              "architectures": ["LlamaForCausalLM"],
              "attention_bias": false,
              "attention_dropout": 0.0,
              "bos_token_id": 128000,
              "eos_token_id": [128001, 128008, 128009],
              "head_dim": 64,
              "hidden_act": "silu",
              "hidden_size": 2048,
              "initializer_range": 0.02,
              "intermediate_size": 8192,
              "max_position_embeddings": 131072,
              "mlp_bias": false,
              "model_type": "llama",
              "num_attention_heads": 32,
              "num_hidden_layers": 16,
              "num_key_value_heads": 8,
              "pretraining_tp": 1,
              "rms_norm_eps": 1e-05,
              "rope_scaling": {
                "factor": 32.0,
                "high_freq_factor": 4.0,
                "low_freq_factor": 1.0,
                "original_max_position_embeddings": 8192,
                "rope_type": "llama3"
              },
              "rope_theta": 500000.0,
              "tie_word_embeddings": true,
              "torch_dtype": "bfloat16",
              "transformers_version": "4.45.0.dev0",
              "use_cache": true,
              "vocab_size": 128256
            }
            """;

    @TempDir
    Path dir;

    private static String withField(String json, String field, String value) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        if (value == null) {
            o.remove(field);
        } else {
            o.add(field, JsonParser.parseString(value));
        }
        return o.toString();
    }

    @Test
    void qwen25_parsesEveryField_andCountsItsKnownParameters() {
        ModelConfig c = ModelConfig.fromJson(QWEN25_05B);
        assertEquals(ModelType.QWEN2, c.modelType());
        assertEquals(151936, c.vocabSize());
        assertEquals(896, c.hiddenSize());
        assertEquals(4864, c.intermediateSize());
        assertEquals(24, c.numHiddenLayers());
        assertEquals(14, c.numAttentionHeads());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(64, c.headDim());
        assertEquals(1_000_000.0, c.ropeTheta());
        assertEquals(1e-6, c.rmsNormEps());
        assertTrue(c.tieWordEmbeddings());
        assertTrue(c.qkvBias());
        assertFalse(c.outputBias());
        assertFalse(c.mlpBias());
        assertEquals(Optional.of(151643), c.bosTokenId());
        assertEquals(List.of(151643), c.eosTokenIds());
        assertEquals("bfloat16", c.torchDtype());
        assertEquals(Optional.empty(), c.ropeScaling());
        assertEquals(494_032_768L, c.parameterCount()); // Qwen2.5-0.5B's published size
    }

    @Test
    void qwen25_writeThenRead_keepsEveryUnknownField() throws IOException {
        ModelConfig c = ModelConfig.fromJson(QWEN25_05B);
        c.write(dir);
        ModelConfig back = ModelConfig.read(dir);
        assertEquals(c, back);
        JsonObject written = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
        JsonObject original = JsonParser.parseString(QWEN25_05B).getAsJsonObject();
        for (String field : List.of("sliding_window", "max_window_layers", "transformers_version", "use_cache",
                "initializer_range", "attention_dropout", "architectures")) {
            assertEquals(original.get(field), written.get(field), field);
        }
        assertEquals(List.of("initializer_range", "attention_dropout", "architectures", "sliding_window",
                "max_window_layers", "transformers_version", "use_cache").stream().sorted().toList(),
                back.extraFields().keySet().stream().sorted().toList());
    }

    @Test
    void llama32_llama3RopeScaling_isRejectedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromJson(LLAMA32_1B));
        assertTrue(e.getMessage().contains("rope_scaling.rope_type"), e.getMessage());
        assertTrue(e.getMessage().contains("llama3"), e.getMessage());
    }

    @Test
    void llama32_withoutRopeScaling_parsesEosListHeadDimAndParameterCount() {
        ModelConfig c = ModelConfig.fromJson(withField(LLAMA32_1B, "rope_scaling", "null"));
        assertEquals(ModelType.LLAMA, c.modelType());
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
        assertEquals(64, c.headDim());
        assertEquals(8, c.numKeyValueHeads());
        assertFalse(c.qkvBias());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(1_235_814_400L, c.parameterCount()); // Llama-3.2-1B's published size
        assertEquals(c, ModelConfig.fromJson(c.toJson()));
        JsonObject written = JsonParser.parseString(c.toJson()).getAsJsonObject();
        assertEquals(3, written.getAsJsonArray("eos_token_id").size());
        assertEquals(1, written.get("pretraining_tp").getAsInt());
    }

    @Test
    void linearRopeScaling_isReadInBothSpellings_andWrittenInBoth() {
        for (String scaling : List.of("{\"rope_type\": \"linear\", \"factor\": 4.0}",
                "{\"type\": \"linear\", \"factor\": 4}")) {
            ModelConfig c = ModelConfig.fromJson(withField(QWEN25_05B, "rope_scaling", scaling));
            assertEquals(Optional.of(RopeScaling.linear(4.0)), c.ropeScaling(), scaling);
            JsonObject written = JsonParser.parseString(c.toJson()).getAsJsonObject().getAsJsonObject("rope_scaling");
            assertEquals("linear", written.get("rope_type").getAsString());
            assertEquals("linear", written.get("type").getAsString());
            assertEquals(4.0, written.get("factor").getAsDouble());
            assertEquals(c, ModelConfig.fromJson(c.toJson()));
        }
        assertEquals(Optional.empty(), ModelConfig.fromJson(withField(QWEN25_05B, "rope_scaling",
                "{\"rope_type\": \"default\"}")).ropeScaling());
    }

    @Test
    void badRopeScaling_isRejectedNamingFieldAndValue() {
        assertMessage(withField(QWEN25_05B, "rope_scaling", "{\"type\": \"linear\", \"factor\": 0.5}"),
                "rope_scaling.factor", "0.5");
        assertMessage(withField(QWEN25_05B, "rope_scaling", "{\"type\": \"yarn\", \"factor\": 4}"),
                "rope_scaling.rope_type", "yarn");
        assertMessage(withField(QWEN25_05B, "rope_scaling", "{\"factor\": 4}"), "rope_type");
        assertMessage(withField(QWEN25_05B, "rope_scaling", "{\"rope_type\": {}, \"factor\": 4}"),
                "rope_scaling.rope_type");
        assertMessage(withField(QWEN25_05B, "rope_scaling", "{\"rope_type\": [], \"factor\": 4}"),
                "rope_scaling.rope_type");
        assertMessage(withField(QWEN25_05B, "rope_scaling", "\"linear\""), "rope_scaling");
    }

    @Test
    void inconsistentHeads_areRejectedNamingFieldAndValue() {
        assertMessage(withField(QWEN25_05B, "num_attention_heads", "15"), "'num_attention_heads' is 15",
                "hidden_size 896");
        assertMessage(withField(QWEN25_05B, "num_key_value_heads", "3"), "'num_key_value_heads' is 3",
                "num_attention_heads 14");
        assertMessage(withField(LLAMA32_1B.replace("\"llama3\"", "\"default\""), "head_dim", "63"), "'head_dim' is 63");
        assertMessage(withField(QWEN25_05B, "eos_token_id", "151936"), "'eos_token_id' holds 151936");
    }

    @Test
    void everyProblem_isReportedAtOnce() {
        String json = withField(withField(withField(QWEN25_05B, "hidden_act", "\"gelu\""), "rms_norm_eps", "-1"),
                "use_sliding_window", "true");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(json));
        assertTrue(e.getMessage().contains("hidden_act"), e.getMessage());
        assertTrue(e.getMessage().contains("use_sliding_window"), e.getMessage());
    }

    @Test
    void missingNumKeyValueHeads_meansOnePerQueryHead_asInTransformers() {
        ModelConfig c = ModelConfig.fromJson(withField(QWEN25_05B, "num_key_value_heads", null));
        assertEquals(14, c.numKeyValueHeads());
    }

    @Test
    void missingSizeField_isRejectedNamingIt_insteadOfFallingBackToTinyDefaults() {
        for (String field : List.of("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                "num_attention_heads")) {
            assertMessage(withField(QWEN25_05B, field, null), "'" + field + "'", "missing");
        }
    }

    @Test
    void notJsonOrNotAnObjectOrUnknownType_isRejected() {
        assertMessage("{", "not valid JSON");
        assertMessage("[1, 2]", "JSON object");
        assertMessage("", "JSON object");
        assertMessage(withField(QWEN25_05B, "model_type", "\"mistral\""), "mistral", "qwen2, llama");
        assertMessage(withField(QWEN25_05B, "model_type", null), "model_type");
        assertMessage(withField(QWEN25_05B, "hidden_size", "\"896\""), "'hidden_size'", "integer");
        assertMessage(withField(QWEN25_05B, "hidden_size", "896.5"), "'hidden_size'", "896.5");
    }

    @Test
    void builder_propertySetTwice_throws_andToBuilderRederivesHeadDim() {
        ModelConfig.Builder b = ModelConfig.builder(ModelType.LLAMA).hiddenSize(128);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.hiddenSize(256));
        assertTrue(e.getMessage().contains("hiddenSize"), e.getMessage());

        ModelConfig tiny = ModelConfig.builder(ModelType.QWEN2).build();
        assertEquals(16, tiny.headDim());
        ModelConfig wider = tiny.toBuilder().hiddenSize(128).build();
        assertEquals(32, wider.headDim()); // derived from the new width, not carried over
        ModelConfig explicit = ModelConfig.builder(ModelType.LLAMA).headDim(32).build();
        assertEquals(32, explicit.toBuilder().hiddenSize(128).build().headDim());
        assertThrows(IllegalStateException.class, () -> tiny.toBuilder().hiddenSize(128).hiddenSize(64));
    }

    private static void assertMessage(String json, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(json),
                json);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + e.getMessage());
        }
    }

    @Property(tries = 400)
    void fromJson_arbitraryText_givesConfigOrIllegalArgumentWithMessage(@ForAll("configTexts") String text) {
        ModelConfig c;
        try {
            c = ModelConfig.fromJson(text);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            return;
        }
        assertEquals(c, ModelConfig.fromJson(c.toJson()));
    }

    @Provide
    Arbitrary<String> configTexts() {
        Arbitrary<String> fields = Arbitraries.of("model_type", "vocab_size", "hidden_size", "intermediate_size",
                "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "rope_theta",
                "rope_scaling", "rms_norm_eps", "tie_word_embeddings", "max_position_embeddings", "attention_bias",
                "mlp_bias", "bos_token_id", "eos_token_id", "torch_dtype", "hidden_act", "use_sliding_window",
                "extra");
        Arbitrary<String> values = Arbitraries.of("\"qwen2\"", "\"llama\"", "\"silu\"", "0", "1", "2", "4", "8", "-3",
                "64", "256", "1.5", "1e400", "-1e400", "2147483648", "-2147483648", "true", "false", "null", "\"x\"",
                "[]", "[1, 2]", "[[1]]", "{}", "{\"rope_type\": \"linear\", \"factor\": 2}", "{\"type\": 3}",
                "{\"rope_type\": [], \"factor\": 2}", "{\"rope_type\": {\"a\": 1}}", "{\"rope_type\": \"linear\"}",
                "{\"type\": \"linear\", \"factor\": \"2\"}", "NaN", "1e-6");
        Arbitrary<String> objects = Arbitraries.entries(fields, values).list().ofMaxSize(12).map(list -> {
            JsonObject base = JsonParser.parseString(QWEN25_05B).getAsJsonObject();
            StringBuilder sb = new StringBuilder(base.toString());
            sb.setLength(sb.length() - 1);
            for (var e : list) {
                sb.append(",\"").append(e.getKey()).append("\":").append(e.getValue());
            }
            return sb.append('}').toString();
        });
        return Arbitraries.oneOf(objects, Arbitraries.strings().ofMaxLength(60),
                Arbitraries.strings().withChars("{}[]\":,0123456789.e-truefalsnqwen2lam ").ofMaxLength(80),
                Arbitraries.just("[".repeat(5000)), Arbitraries.just("{\"a\":".repeat(3000)));
    }
}
