package ai.redstar.train.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.model.RopeScaling;
import ai.redstar.train.lora.LoraAdapters;
import ai.redstar.train.lora.LoraConfig;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextExtensionTest {
    private static final Device CPU = Device.cpu();

    @TempDir
    Path tmp;

    static ModelConfig tinyLlama() {
        return ModelConfig.builder(ModelType.LLAMA).vocabSize(64).hiddenSize(32).intermediateSize(48)
                .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(4096).build();
    }

    static NDArray logits(CausalLm model, NDManager m, long[] positions) {
        NDArray ids = m.create(new long[][] {{7, 3, 19, 42, 5, 11, 30}});
        NDArray seg = m.create(new long[][] {{1, 1, 1, 1, 1, 1, 1}});
        return model.forward(ids, m.create(new long[][] {positions}), seg);
    }

    static float maxAbsDiff(NDArray a, NDArray b) {
        try (NDScope scope = new NDScope()) {
            return a.sub(b).abs().max().getFloat();
        }
    }

    @Test
    void extendedModel_atPositionPTimesFactor_equalsTheOriginalAtP() {
        long[] positions = {0, 1, 2, 3, 50, 51, 52};
        long[] scaled = {0, 4, 8, 12, 200, 204, 208};
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            CausalLm original = CausalLm.randomInit(tinyLlama(), 21, CPU);
            NDArray before = logits(original, m, positions);
            try (CausalLm longer = ContextExtension.extend(original, 4)) {
                assertTrue(original.isClosed(), "the parameters moved to the extended model");
                assertEquals(0f, maxAbsDiff(before, logits(longer, m, scaled)), "rotary angles are identical");
                assertTrue(maxAbsDiff(before, logits(longer, m, positions)) > 1e-4f,
                        "the same positions mean other angles after the extension");
            }
        }
    }

    @Test
    void extendedConfig_scalesFactorAndLength_andComposesWithAnExistingFactor() {
        ModelConfig once = ContextExtension.extendedConfig(tinyLlama(), 2);
        assertEquals(2.0, once.ropeScaling().orElseThrow().factor());
        assertEquals(8192, once.maxPositionEmbeddings());
        ModelConfig twice = ContextExtension.extendedConfig(once, 2);
        assertEquals(4.0, twice.ropeScaling().orElseThrow().factor(), "one factor, as transformers has");
        assertEquals(16384, twice.maxPositionEmbeddings());
        ModelConfig odd = ContextExtension.extendedConfig(tinyLlama().toBuilder().maxPositionEmbeddings(4097)
                .build(), 1.5);
        assertEquals(6145, odd.maxPositionEmbeddings(), "rounded down");
        assertEquals(tinyLlama().hiddenSize(), twice.hiddenSize());
    }

    @Test
    void extend_invalidFactor_throwsNamingIt() {
        for (double factor : new double[] {1.0, 0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ContextExtension.extendedConfig(tinyLlama(), factor));
            assertTrue(e.getMessage().contains(String.valueOf(factor)), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContextExtension.extendedConfig(tinyLlama(), 1e6));
        assertTrue(e.getMessage().contains("max_position_embeddings 4096"), e.getMessage());
    }

    @Test
    void savedExtendedModel_writesTheScalingToConfigJson_andReloadsWithIdenticalLogits() throws Exception {
        long[] positions = {0, 100, 200, 300, 400, 500, 600};
        Path folder = tmp.resolve("longer");
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            CausalLm base = CausalLm.randomInit(tinyLlama().toBuilder().ropeScaling(RopeScaling.linear(2)).build(),
                    22, CPU);
            float[] expected;
            try (CausalLm longer = ContextExtension.extend(base, 2)) {
                expected = logits(longer, m, positions).toFloatArray();
                longer.save(folder, TensorDtype.F32);
            }
            JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("config.json")))
                    .getAsJsonObject();
            JsonObject scaling = config.getAsJsonObject("rope_scaling");
            assertEquals("linear", scaling.get("rope_type").getAsString());
            assertEquals("linear", scaling.get("type").getAsString());
            assertEquals(4.0, scaling.get("factor").getAsDouble());
            assertEquals(8192, config.get("max_position_embeddings").getAsInt());
            try (CausalLm reloaded = CausalLm.load(folder, CPU)) {
                assertEquals(4.0, reloaded.config().ropeScaling().orElseThrow().factor());
                assertArrayEquals(expected, logits(reloaded, m, positions).toFloatArray());
            }
        }
    }

    @Test
    void loraAttachesToTheExtendedModel_butExtendingAnAdaptedModelIsRefused() {
        try (CausalLm model = CausalLm.randomInit(tinyLlama(), 23, CPU)) {
            try (LoraAdapters lora = LoraAdapters.attach(model, LoraConfig.builder().build())) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> ContextExtension.extend(model, 2));
                assertTrue(e.getMessage().contains("remove adapters"), e.getMessage());
            }
            try (CausalLm longer = ContextExtension.extend(model, 2);
                    LoraAdapters lora = LoraAdapters.attach(longer, LoraConfig.builder().build())) {
                assertEquals(2.0, longer.config().ropeScaling().orElseThrow().factor());
                longer.parameters().forEach((name, p) -> assertTrue(!p.hasGradient(), name + " frozen"));
            }
        }
    }
}
