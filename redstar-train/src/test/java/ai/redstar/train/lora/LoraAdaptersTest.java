package ai.redstar.train.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.redstar.core.checkpoint.CheckpointException;
import ai.redstar.core.checkpoint.SafetensorsFile;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraAdaptersTest {
    private static final Device CPU = Device.cpu();

    @TempDir
    Path tmp;

    /** Qwen2 with q/k/v biases, tied head, 4 heads over 2 KV heads (k/v projections narrower than q). */
    static ModelConfig tinyQwen2() {
        return ModelConfig.builder(ModelType.QWEN2)
                .vocabSize(64).hiddenSize(32).intermediateSize(40).numHiddenLayers(2)
                .numAttentionHeads(4).numKeyValueHeads(2).tieWordEmbeddings(true).build();
    }

    static LoraConfig allTargets(long seed) {
        return LoraConfig.builder().rank(4).alpha(8).dropout(0.1).targets(LoraConfig.ALL_LINEAR).seed(seed).build();
    }

    /** Gives every B matrix random values (PEFT starts B at zero, which would hide the adapter). */
    static void randomizeB(LoraAdapters lora, NDManager m) {
        Engine.getInstance().setRandomSeed(1234);
        lora.parameters().forEach((name, p) -> {
            if (name.endsWith("lora_B.weight")) {
                p.addi(m.randomNormal(0f, 0.3f, p.getShape(), p.getDataType()));
            }
        });
    }

    static NDArray logits(CausalLm model, NDManager m) {
        NDArray ids = m.create(new long[][] {{3, 17, 5, 60, 2, 9}, {1, 1, 44, 8, 31, 12}});
        NDArray pos = m.create(new long[][] {{0, 1, 2, 3, 4, 5}, {0, 0, 0, 1, 2, 3}});
        NDArray seg = m.create(new long[][] {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}});
        return model.forward(ids, pos, seg);
    }

    static float maxAbsDiff(NDArray a, NDArray b) {
        try (NDScope scope = new NDScope()) {
            return a.sub(b).abs().max().getFloat();
        }
    }

    @Test
    void attach_startsEqualToTheBase_initialisesAsPeft_andFreezesTheBase() {
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 1, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray before = logits(model, m);
            try (LoraAdapters lora = LoraAdapters.attach(model, allTargets(5))) {
                assertEquals(0f, maxAbsDiff(before, logits(model, m)));
                assertEquals(2 * 7 * 2, lora.parameters().size());
                NDArray a = lora.parameters().get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight");
                assertEquals(new Shape(4, 40), a.getShape());
                float bound = (float) (1 / Math.sqrt(40));
                float[] values = a.toFloatArray();
                float largest = 0;
                for (float v : values) {
                    assertTrue(Math.abs(v) <= bound, "A within the kaiming-uniform bound 1/sqrt(in)");
                    largest = Math.max(largest, Math.abs(v));
                }
                assertTrue(largest > 0.8f * bound, "A spreads over its range");
                NDArray b = lora.parameters().get("base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight");
                assertEquals(new Shape(16, 4), b.getShape());
                assertEquals(0f, b.abs().max().getFloat());
                model.parameters().forEach((name, p) -> assertFalse(p.hasGradient(), name + " is frozen"));
                lora.parameters().forEach((name, p) -> assertTrue(p.hasGradient(), name + " is trainable"));
                assertNotNull(model.adapter("model.layers.1.self_attn.o_proj.weight"));
            }
            model.parameters().forEach((name, p) -> assertTrue(p.hasGradient(), name + " is trainable again"));
            assertNull(model.adapter("model.layers.1.self_attn.o_proj.weight"));
        }
    }

    @Test
    void attach_sameSeed_sameA_otherSeed_otherA() {
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 1, CPU)) {
            float[] first;
            try (LoraAdapters lora = LoraAdapters.attach(model, allTargets(5))) {
                first = lora.parameters().get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
                        .toFloatArray();
            }
            try (LoraAdapters lora = LoraAdapters.attach(model, allTargets(5))) {
                assertArrayEquals(first, lora.parameters()
                        .get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").toFloatArray());
            }
            try (LoraAdapters lora = LoraAdapters.attach(model, allTargets(6))) {
                assertFalse(java.util.Arrays.equals(first, lora.parameters()
                        .get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").toFloatArray()));
            }
        }
    }

    @Test
    void parameters_areNamedAndOrderedAsPeftStateDict() {
        LoraConfig config = LoraConfig.builder().targets(LoraTarget.V, LoraTarget.Q, LoraTarget.DOWN).build();
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 1, CPU);
                LoraAdapters lora = LoraAdapters.attach(model, config)) {
            List<String> names = new ArrayList<>(lora.parameters().keySet());
            assertEquals(List.of(
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
                    "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight",
                    "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight",
                    "base_model.model.model.layers.0.mlp.down_proj.lora_A.weight",
                    "base_model.model.model.layers.0.mlp.down_proj.lora_B.weight",
                    "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight",
                    "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight",
                    "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight",
                    "base_model.model.model.layers.1.mlp.down_proj.lora_A.weight",
                    "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"), names);
            assertNull(model.adapter("model.layers.0.self_attn.k_proj.weight"));
        }
    }

    @Test
    void backward_reachesOnlyTheAdapters_andAnUpdateLeavesTheBaseUnchanged() {
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 2, CPU);
                NDManager m = NDManager.newBaseManager(CPU);
                LoraAdapters lora = LoraAdapters.attach(model, allTargets(3))) {
            randomizeB(lora, m);
            Map<String, float[]> base = new HashMap<>();
            model.parameters().forEach((name, p) -> base.put(name, p.toFloatArray()));
            NDArray before = logits(model, m);
            lora.training(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                    NDScope scope = new NDScope()) {
                NDArray out = logits(model, m);
                collector.backward(out.logSoftmax(2).get(":, :, 7").mean().neg());
            }
            lora.training(false);
            for (Map.Entry<String, NDArray> e : lora.parameters().entrySet()) {
                try (NDScope scope = new NDScope()) {
                    NDArray g = e.getValue().getGradient();
                    float largest = g.abs().max().getFloat();
                    assertTrue(largest > 0 && Float.isFinite(largest), e.getKey() + " got gradient " + largest);
                    e.getValue().subi(g.mul(0.5f)); // an SGD step on the trainable parameters only
                }
            }
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                assertFalse(e.getValue().hasGradient(), e.getKey());
                assertThrows(IllegalStateException.class, () -> e.getValue().getGradient(), e.getKey());
                assertArrayEquals(base.get(e.getKey()), e.getValue().toFloatArray(), e.getKey() + " unchanged");
            }
            assertTrue(maxAbsDiff(before, logits(model, m)) > 1e-3, "the update moved the adapted model");
            lora.zeroGradients();
            for (NDArray p : lora.parameters().values()) {
                try (NDScope scope = new NDScope()) {
                    assertEquals(0f, p.getGradient().abs().max().getFloat());
                }
            }
        }
    }

    @Test
    void saveMerged_and_mergeInto_computeWhatTheAdaptedModelComputes() {
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 4, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray base = logits(model, m);
            try (LoraAdapters lora = LoraAdapters.attach(model, allTargets(9))) {
                randomizeB(lora, m);
                NDArray adapted = logits(model, m);
                assertTrue(maxAbsDiff(base, adapted) > 1e-2, "the adapter changes the logits");
                Path merged = tmp.resolve("merged");
                lora.saveMerged(merged);
                assertEquals(0f, maxAbsDiff(adapted, logits(model, m)), "saveMerged leaves the live model as it was");
                try (CausalLm reloaded = CausalLm.load(merged, CPU)) {
                    assertNull(reloaded.adapter("model.layers.0.self_attn.q_proj.weight"));
                    float diff = maxAbsDiff(adapted, logits(reloaded, m));
                    assertTrue(diff <= 1e-5f, "merged folder vs adapted: " + diff);
                }
                lora.mergeInto();
                assertFalse(lora.isAttached());
                assertNull(model.adapter("model.layers.0.self_attn.q_proj.weight"));
                float diff = maxAbsDiff(adapted, logits(model, m));
                assertTrue(diff <= 1e-5f, "merged in place vs adapted: " + diff);
                model.parameters().forEach((name, p) -> assertTrue(p.hasGradient(), name));
                assertThrows(IllegalStateException.class, () -> lora.saveMerged(tmp.resolve("twice")));
            }
        }
    }

    @Test
    void mergeInto_onAThreadThatRecordsGradients_leavesTheBaseWeightsLeaves() throws Exception {
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 4, CPU);
                NDManager m = NDManager.newBaseManager(CPU);
                LoraAdapters lora = LoraAdapters.attach(model, allTargets(9))) {
            randomizeB(lora, m);
            float[] adapted = logits(model, m).toFloatArray();
            // Grad mode is on for threads other than the one that loaded the engine (DJL-NOTES).
            Throwable[] failure = new Throwable[1];
            Thread thread = new Thread(() -> {
                try {
                    lora.mergeInto();
                } catch (Throwable t) {
                    failure[0] = t;
                }
            });
            thread.start();
            thread.join();
            if (failure[0] != null) {
                throw new AssertionError("mergeInto failed on a grad-recording thread", failure[0]);
            }
            float[] merged = logits(model, m).toFloatArray();
            for (int i = 0; i < merged.length; i++) {
                assertEquals(adapted[i], merged[i], 1e-5f);
            }
            // Full fine-tuning after the merge: every weight is still a leaf that receives its gradient.
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                    NDScope scope = new NDScope()) {
                collector.backward(logits(model, m).get(":, :, 5").sum());
            }
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                try (NDScope scope = new NDScope()) {
                    float largest = e.getValue().getGradient().abs().max().getFloat();
                    assertTrue(largest > 0, e.getKey() + " got gradient " + largest);
                }
            }
        }
    }

    @Test
    void savePeft_thenLoadPeft_restoresTheAdapterBitwise() throws Exception {
        Path folder = tmp.resolve("adapter");
        float[] expectedLogits;
        Map<String, float[]> saved = new HashMap<>();
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 5, CPU);
                NDManager m = NDManager.newBaseManager(CPU);
                LoraAdapters lora = LoraAdapters.attach(model, allTargets(2))) {
            randomizeB(lora, m);
            lora.parameters().forEach((name, p) -> saved.put(name, p.toFloatArray()));
            expectedLogits = logits(model, m).toFloatArray();
            lora.savePeft(folder);
        }
        try (SafetensorsFile file = SafetensorsFile.open(folder.resolve(LoraAdapters.WEIGHTS_FILE))) {
            assertEquals(Map.of("format", "pt"), file.metadata());
            assertEquals(saved.keySet(), file.tensors().keySet());
        }
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 5, CPU);
                NDManager m = NDManager.newBaseManager(CPU);
                LoraAdapters lora = LoraAdapters.loadPeft(model, folder)) {
            assertEquals(saved.keySet(), lora.parameters().keySet());
            lora.parameters().forEach((name, p) -> assertArrayEquals(saved.get(name), p.toFloatArray(), name));
            assertArrayEquals(expectedLogits, logits(model, m).toFloatArray());
            assertEquals(allTargets(2).toBuilder().seed(0).build(), lora.config());
            model.parameters().forEach((name, p) -> assertFalse(p.hasGradient(), name));
        }
        assertTrue(Files.readString(folder.resolve(LoraAdapters.CONFIG_FILE)).contains("\"peft_type\": \"LORA\""));
    }

    @Test
    void loadPeft_wrongShapesOrNames_listEveryProblem() throws Exception {
        Path folder = tmp.resolve("adapter");
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 5, CPU);
                LoraAdapters lora = LoraAdapters.attach(model, allTargets(2))) {
            lora.savePeft(folder);
        }
        ModelConfig wider = tinyQwen2().toBuilder().intermediateSize(48).build();
        try (CausalLm other = CausalLm.randomInit(wider, 5, CPU)) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> LoraAdapters.loadPeft(other, folder));
            assertTrue(e.getMessage().contains("6 problems"), e.getMessage());
            assertTrue(e.getMessage().contains("mlp.down_proj.lora_A.weight' has shape (4, 40), expected (4, 48)"),
                    e.getMessage());
            other.parameters().forEach((name, p) -> assertTrue(p.hasGradient(), "nothing frozen: " + name));
            assertNull(other.adapter("model.layers.0.self_attn.q_proj.weight"));
        }
        Files.delete(folder.resolve(LoraAdapters.WEIGHTS_FILE));
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 5, CPU)) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> LoraAdapters.loadPeft(model, folder));
            assertTrue(e.getMessage().contains("adapter_model.safetensors"), e.getMessage());
        }
    }

    @Test
    void dropout_onlyInTrainingMode_andDeterministicPerSeedAndDraw() {
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 6, CPU);
                NDManager m = NDManager.newBaseManager(CPU);
                LoraAdapters lora = LoraAdapters.attach(model, allTargets(11))) {
            randomizeB(lora, m);
            NDArray eval = logits(model, m);
            assertEquals(0f, maxAbsDiff(eval, logits(model, m)), "evaluation mode is deterministic");
            assertEquals(0, lora.dropoutDraws());
            lora.training(true);
            NDArray first = logits(model, m);
            assertEquals(2 * 7, lora.dropoutDraws(), "one mask per adapted projection call");
            NDArray second = logits(model, m);
            assertTrue(maxAbsDiff(eval, first) > 1e-4, "dropout changes the output in training mode");
            assertTrue(maxAbsDiff(first, second) > 1e-4, "each call draws a new mask");
            lora.seekDropout(0);
            assertEquals(0f, maxAbsDiff(first, logits(model, m)), "same seed and draw, same masks");
            lora.training(false);
            assertEquals(0f, maxAbsDiff(eval, logits(model, m)));
        }
    }

    @Test
    void dropout_zeroesAboutPOfTheInputs_andScalesTheRest() {
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 6, CPU);
                NDManager m = NDManager.newBaseManager(CPU);
                LoraAdapters lora = LoraAdapters.attach(model, allTargets(12))) {
            lora.training(true);
            float[] values = lora.dropout(m.ones(new Shape(400, 250))).toFloatArray();
            int zeros = 0;
            for (float v : values) {
                if (v == 0f) {
                    zeros++;
                } else {
                    assertEquals(1f / 0.9f, v, 1e-6f, "kept elements are scaled by 1/(1-p)");
                }
            }
            assertEquals(0.1, zeros / (double) values.length, 0.005, "dropout rate");
        }
    }

    @Test
    void dropout_otherSeed_otherMasks() {
        LoraConfig a = LoraConfig.builder().dropout(0.5).seed(1).build();
        LoraConfig b = LoraConfig.builder().dropout(0.5).seed(2).build();
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 6, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray ones = m.ones(new Shape(64, 64));
            float[] first;
            try (LoraAdapters lora = LoraAdapters.attach(model, a)) {
                lora.training(true);
                first = lora.dropout(ones).toFloatArray();
            }
            try (LoraAdapters lora = LoraAdapters.attach(model, b)) {
                lora.training(true);
                assertFalse(java.util.Arrays.equals(first, lora.dropout(ones).toFloatArray()));
            }
            try (LoraAdapters lora = LoraAdapters.attach(model, a)) {
                lora.training(true);
                assertArrayEquals(first, lora.dropout(ones).toFloatArray());
                lora.training(false);
                assertSame(ones, lora.dropout(ones));
            }
        }
    }

    @Test
    void attach_onAnAdaptedProjection_throws_andCloseIsIdempotent() {
        try (CausalLm model = CausalLm.randomInit(tinyQwen2(), 1, CPU)) {
            LoraAdapters lora = LoraAdapters.attach(model, LoraConfig.builder().build());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> LoraAdapters.attach(model, LoraConfig.builder().targets(LoraTarget.Q).build()));
            assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_proj.weight"), e.getMessage());
            lora.close();
            lora.close();
            assertThrows(IllegalStateException.class, lora::parameters);
            assertNull(model.adapter("model.layers.0.self_attn.q_proj.weight"));
        }
    }

    @Test
    void close_afterTheModelClosed_freesTheAdapters() {
        CausalLm model = CausalLm.randomInit(tinyQwen2(), 1, CPU);
        LoraAdapters lora = LoraAdapters.attach(model, LoraConfig.builder().build());
        model.close();
        assertFalse(lora.isAttached());
        lora.close();
        assertThrows(IllegalStateException.class, () -> lora.training(true));
    }
}
