package ai.redstar.core.model;

import static ai.redstar.core.model.TinyModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CausalLmTest {
    private static final Device CPU = Device.cpu();

    @Test
    void randomInit_sameSeed_sameWeights_otherSeed_otherWeights() {
        ModelConfig config = TinyModels.qwen2();
        try (CausalLm a = CausalLm.randomInit(config, 7, CPU);
                CausalLm b = CausalLm.randomInit(config, 7, CPU);
                CausalLm c = CausalLm.randomInit(config, 8, CPU)) {
            for (String name : a.parameters().keySet()) {
                assertArrayEquals(a.parameters().get(name).toFloatArray(), b.parameters().get(name).toFloatArray(),
                        name);
            }
            NDArray q = a.parameters().get("model.layers.0.self_attn.q_proj.weight");
            assertTrue(maxAbsDiff(q, c.parameters().get("model.layers.0.self_attn.q_proj.weight")) > 0);
        }
    }

    @Test
    void randomInit_followsHuggingFaceInit() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 1, CPU)) {
            Map<String, NDArray> p = model.parameters();
            float[] embed = p.get("model.embed_tokens.weight").toFloatArray();
            double sum = 0;
            double squares = 0;
            for (float v : embed) {
                sum += v;
                squares += v * v;
            }
            double mean = sum / embed.length;
            double std = Math.sqrt(squares / embed.length - mean * mean);
            assertEquals(0.02, std, 0.002);
            assertEquals(0.0, mean, 0.002);
            for (float v : p.get("model.layers.1.input_layernorm.weight").toFloatArray()) {
                assertEquals(1f, v);
            }
            for (float v : p.get("model.layers.0.self_attn.k_proj.bias").toFloatArray()) {
                assertEquals(0f, v);
            }
        }
    }

    @Test
    void parameters_areNamedAndShapedAsHuggingFace() {
        ModelConfig config = TinyModels.qwen2();
        try (CausalLm model = CausalLm.randomInit(config, 1, CPU)) {
            List<String> names = new ArrayList<>(model.parameters().keySet());
            assertEquals(List.of("model.embed_tokens.weight",
                    "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.q_proj.bias",
                    "model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.k_proj.bias",
                    "model.layers.0.self_attn.v_proj.weight", "model.layers.0.self_attn.v_proj.bias",
                    "model.layers.0.self_attn.o_proj.weight", "model.layers.0.mlp.gate_proj.weight",
                    "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight",
                    "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight"),
                    names.subList(0, 13));
            assertEquals("model.norm.weight", names.get(names.size() - 1));
            assertEquals(new Shape(16, 32), model.parameters().get("model.layers.1.self_attn.v_proj.weight").getShape());
            long count = model.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            assertEquals(config.parameterCount(), count);
        }
        try (CausalLm llama = CausalLm.randomInit(TinyModels.llamaWithBiases(), 1, CPU)) {
            Map<String, NDArray> p = llama.parameters();
            assertTrue(p.containsKey("lm_head.weight"));
            assertEquals(new Shape(36, 24), p.get("model.layers.0.self_attn.q_proj.weight").getShape());
            assertEquals(new Shape(24, 36), p.get("model.layers.0.self_attn.o_proj.weight").getShape());
            assertTrue(p.containsKey("model.layers.0.self_attn.o_proj.bias"));
            assertTrue(p.containsKey("model.layers.1.mlp.down_proj.bias"));
            long count = p.values().stream().mapToLong(a -> a.getShape().size()).sum();
            assertEquals(TinyModels.llamaWithBiases().parameterCount(), count);
        }
    }

    @Test
    void forward_givesFiniteLogitsOfShapeBatchSeqVocab_andLeavesNoTemporaries() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.llamaWithBiases(), 3, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray ids = m.create(new long[][] {{1, 2, 3, 4, 5}, {0, 0, 7, 8, 9}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1}, {0, 0, 1, 1, 1}});
            NDArray positions = AttentionMasks.positionsFromPaddingMask(mask);
            int before = m.getManagedArrays().size();
            NDArray logits = model.forward(ids, positions, mask);
            assertEquals(before + 1, m.getManagedArrays().size(), "only the logits remain in the caller's manager");
            assertEquals(new Shape(2, 5, 80), logits.getShape());
            try (NDArray finite = logits.isInfinite().logicalOr(logits.isNaN()).any()) {
                assertFalse(finite.getBoolean());
            }
        }
    }

    @Test
    void forward_tiedHead_usesEmbeddingTranspose() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 3, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray ids = m.create(new long[][] {{5, 6, 7}});
            NDArray positions = m.create(new long[][] {{0, 1, 2}});
            NDArray segments = m.create(new long[][] {{1, 1, 1}});
            NDArray hidden = model.hiddenStates(ids, positions, segments, null);
            NDArray logits = model.forward(ids, positions, segments);
            NDArray expected = hidden.matMul(model.parameters().get("model.embed_tokens.weight").transpose());
            assertTrue(maxAbsDiff(logits, expected) < 1e-5);
            assertTrue(maxAbsDiff(logits, model.logits(hidden)) == 0f);
            assertFalse(model.parameters().containsKey("lm_head.weight"));
        }
    }

    @Test
    void forward_packedRow_equalsEachDocumentAlone() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 11, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray packed = model.forward(
                    m.create(new long[][] {{3, 4, 5, 6, 7, 8, 0}}),
                    m.create(new long[][] {{0, 1, 2, 0, 1, 2, 0}}),
                    m.create(new long[][] {{1, 1, 1, 2, 2, 2, 0}}));
            NDArray first = model.forward(m.create(new long[][] {{3, 4, 5}}), m.create(new long[][] {{0, 1, 2}}),
                    m.create(new long[][] {{1, 1, 1}}));
            NDArray second = model.forward(m.create(new long[][] {{6, 7, 8}}), m.create(new long[][] {{0, 1, 2}}),
                    m.create(new long[][] {{1, 1, 1}}));
            assertTrue(maxAbsDiff(packed.get("0, 0:3"), first.get(0)) < 1e-5);
            assertTrue(maxAbsDiff(packed.get("0, 3:6"), second.get(0)) < 1e-5);
        }
    }

    @Test
    void forward_chunkedThroughKvCache_equalsFullSequence_withLeftPadding() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.llamaWithBiases(), 5, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            long[][] ids = {{11, 12, 13, 14, 15, 16, 17, 18}, {0, 0, 0, 21, 22, 23, 24, 25}};
            long[][] mask = {{1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1, 1}};
            NDArray idArray = m.create(ids);
            NDArray maskArray = m.create(mask);
            NDArray positions = AttentionMasks.positionsFromPaddingMask(maskArray);
            NDArray full = model.forward(idArray, positions, maskArray);
            try (KvCache cache = model.newKvCache(2, 12, m)) {
                List<NDArray> chunks = new ArrayList<>();
                int[][] spans = {{0, 5}, {5, 6}, {6, 7}, {7, 8}};
                for (int[] span : spans) {
                    String cols = ":, " + span[0] + ":" + span[1];
                    chunks.add(model.forward(idArray.get(cols), positions.get(cols), maskArray.get(cols), cache));
                }
                assertEquals(8, cache.length());
                NDArray chunked = chunks.get(0).concat(chunks.get(1), 1).concat(chunks.get(2), 1)
                        .concat(chunks.get(3), 1);
                assertTrue(maxAbsDiff(full.get("0"), chunked.get("0")) <= 1e-4);
                assertTrue(maxAbsDiff(full.get("1, 3:"), chunked.get("1, 3:")) <= 1e-4);
                try (NDArray cached = cache.segmentIds(m)) {
                    assertArrayEquals(maskArray.toLongArray(), cached.toLongArray());
                }
            }
        }
    }

    @Test
    void keepRows_continuesTheKeptRowsOnly() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 5, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray prompt = m.create(new long[][] {{1, 2, 3, 4}, {0, 9, 8, 7}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1}, {0, 1, 1, 1}});
            try (KvCache cache = model.newKvCache(2, 6, m)) {
                model.forward(prompt, AttentionMasks.positionsFromPaddingMask(mask), mask, cache);
                cache.keepRows(m.create(new long[] {1, 1, 1}));
                assertEquals(3, cache.batch());
                NDArray next = model.forward(m.create(new long[][] {{5}, {5}, {5}}),
                        m.create(new long[][] {{3}, {3}, {3}}), m.create(new long[][] {{1}, {1}, {1}}), cache);
                NDArray alone = model.forward(m.create(new long[][] {{9, 8, 7, 5}}),
                        m.create(new long[][] {{0, 1, 2, 3}}), m.create(new long[][] {{1, 1, 1, 1}}));
                for (int row = 0; row < 3; row++) {
                    assertTrue(maxAbsDiff(next.get(row + ", 0"), alone.get("0, 3")) <= 1e-4);
                }
                assertThrows(IllegalArgumentException.class, () -> cache.keepRows(m.create(new long[] {3})));
                assertThrows(IllegalStateException.class, () -> model.forward(
                        m.create(new long[][] {{1, 2}, {1, 2}, {1, 2}}), m.create(new long[][] {{4, 5}, {4, 5}, {4, 5}}),
                        m.create(new long[][] {{1, 1}, {1, 1}, {1, 1}}), cache));
                assertEquals(5, cache.length(), "a failed forward pass leaves the cache as it was");
            }
        }
    }

    @Test
    void forward_malformedInputs_throwNamingTheShape() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 1, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray ids = m.create(new long[][] {{1, 2, 3}});
            NDArray pos = m.create(new long[][] {{0, 1, 2}});
            IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(ids.toType(DataType.INT32, false), pos, pos));
            assertTrue(wrongType.getMessage().contains("(1, 3)") && wrongType.getMessage().contains("int64"),
                    wrongType.getMessage());
            IllegalArgumentException wrongShape = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(ids, m.create(new long[] {0, 1, 2}), pos));
            assertTrue(wrongShape.getMessage().contains("(3)"), wrongShape.getMessage());
            IllegalArgumentException outOfVocab = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(m.create(new long[][] {{1, 96, 3}}), pos, pos));
            assertTrue(outOfVocab.getMessage().contains("96"), outOfVocab.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> model.logits(m.zeros(new Shape(1, 3, 31))));
            assertThrows(IllegalArgumentException.class, () -> model.setAdapter("model.norm.weight", x -> x));
        }
    }

    @Test
    void adapter_addsItsDeltaToTheProjection() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 2, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray ids = m.create(new long[][] {{1, 2, 3}});
            NDArray pos = m.create(new long[][] {{0, 1, 2}});
            NDArray seg = m.create(new long[][] {{1, 1, 1}});
            NDArray plain = model.forward(ids, pos, seg);
            model.setAdapter("lm_head.weight", x -> x.sum(new int[] {2}, true).broadcast(1, 3, 96).mul(0f));
            assertEquals(0f, maxAbsDiff(plain, model.forward(ids, pos, seg)));
            model.setAdapter("model.layers.0.mlp.down_proj.weight", x -> x.get(":, :, 0:32").mul(0.5f));
            assertTrue(maxAbsDiff(plain, model.forward(ids, pos, seg)) > 1e-4);
            model.setAdapter("model.layers.0.mlp.down_proj.weight", null);
            model.setAdapter("lm_head.weight", null);
            assertNull(model.adapter("lm_head.weight"));
            assertEquals(0f, maxAbsDiff(plain, model.forward(ids, pos, seg)));
        }
    }

    @Test
    void backward_reachesEveryParameter() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.llamaWithBiases(), 4, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray ids = m.create(new long[][] {{1, 2, 3, 4}, {0, 5, 6, 7}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1}, {0, 1, 1, 1}});
            NDArray pos = AttentionMasks.positionsFromPaddingMask(mask);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                    NDScope scope = new NDScope()) {
                NDArray logits = model.forward(ids, pos, mask);
                NDArray loss = logits.logSoftmax(2).get(":, :, 3").mean().neg();
                collector.backward(loss);
            }
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                try (NDArray g = e.getValue().getGradient(); NDArray abs = g.abs(); NDArray max = abs.max()) {
                    float largest = max.getFloat();
                    assertTrue(largest > 0 && Float.isFinite(largest), e.getKey() + " got gradient " + largest);
                }
            }
            model.zeroGradients();
            for (NDArray p : model.parameters().values()) {
                try (NDArray g = p.getGradient(); NDArray abs = g.abs(); NDArray max = abs.max()) {
                    assertEquals(0f, max.getFloat());
                }
            }
        }
    }

    @Test
    void gradients_matchFiniteDifferences_inFloat64() {
        ModelConfig config = TinyModels.llamaWithBiases();
        try (CausalLm seed = CausalLm.randomInit(config, 9, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDManager own = NDManager.newBaseManager(CPU);
            Map<String, NDArray> wide = new java.util.LinkedHashMap<>();
            seed.parameters().forEach((name, p) -> {
                NDArray w = p.toType(DataType.FLOAT64, true);
                w.attach(own);
                wide.put(name, w);
            });
            try (CausalLm model = CausalLm.of(config, CPU, own, wide)) {
                NDArray ids = m.create(new long[][] {{1, 2, 3, 4}, {0, 5, 6, 7}});
                NDArray mask = m.create(new long[][] {{1, 1, 1, 1}, {0, 1, 1, 1}});
                NDArray pos = AttentionMasks.positionsFromPaddingMask(mask);
                NDArray weights = m.randomNormal(new Shape(2, 4, 80)).toType(DataType.FLOAT64, false);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(model.forward(ids, pos, mask).mul(weights).sum());
                }
                String[][] probes = {{"model.embed_tokens.weight", "2, 3"}, {"model.layers.0.self_attn.k_proj.bias", "5"},
                        {"model.layers.1.self_attn.q_proj.weight", "7, 1"}, {"model.layers.0.mlp.up_proj.weight", "3, 4"},
                        {"model.layers.1.post_attention_layernorm.weight", "6"}, {"lm_head.weight", "9, 2"},
                        {"model.layers.0.self_attn.o_proj.bias", "1"}};
                double h = 1e-6;
                for (String[] probe : probes) {
                    NDArray p = model.parameters().get(probe[0]);
                    double analytic = p.getGradient().get(probe[1]).getDouble();
                    double original = p.get(probe[1]).getDouble();
                    p.set(new ai.djl.ndarray.index.NDIndex(probe[1]), original + h);
                    double plus = model.forward(ids, pos, mask).mul(weights).sum().getDouble();
                    p.set(new ai.djl.ndarray.index.NDIndex(probe[1]), original - h);
                    double minus = model.forward(ids, pos, mask).mul(weights).sum().getDouble();
                    p.set(new ai.djl.ndarray.index.NDIndex(probe[1]), original);
                    double numeric = (plus - minus) / (2 * h);
                    assertEquals(numeric, analytic, 1e-6 + 1e-5 * Math.abs(numeric), probe[0] + "[" + probe[1] + "]");
                }
            }
        }
    }

    @Test
    void modelAndCacheMadeInsideAScope_outliveIt() {
        CausalLm model;
        try (NDScope scope = new NDScope()) {
            model = CausalLm.randomInit(TinyModels.qwen2(), 1, CPU);
        }
        try (model; NDManager m = NDManager.newBaseManager(CPU)) {
            KvCache cache;
            NDArray mask = m.create(new long[][] {{1, 1}, {0, 1}});
            try (NDScope scope = new NDScope()) {
                cache = model.newKvCache(2, 4, m);
                model.forward(m.create(new long[][] {{3, 4}, {0, 5}}), AttentionMasks.positionsFromPaddingMask(mask),
                        mask, cache);
                cache.keepRows(m.create(new long[] {1, 0}));
            }
            try (cache) {
                NDArray logits = model.forward(m.create(new long[][] {{6}, {7}}), m.create(new long[][] {{1}, {2}}),
                        m.create(new long[][] {{1}, {1}}), cache);
                assertEquals(new Shape(2, 1, 96), logits.getShape());
                assertArrayEquals(new long[] {0, 1, 1, 1, 1, 1}, cache.segmentIds(m).toLongArray());
            }
        }
    }

    @Test
    void causalSegmentBias_allowsEarlierTokensOfTheSameSegmentOnly() {
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray segments = m.create(new long[][] {{0, 1, 1, 2}});
            float[] bias = AttentionMasks.causalSegmentBias(segments, segments, 0).toFloatArray();
            float x = AttentionMasks.MASKED;
            assertArrayEquals(new float[] {0, x, x, x, x, 0, x, x, x, 0, 0, x, x, x, x, 0}, bias);
            NDArray keys = m.create(new long[][] {{1, 1, 2, 2}});
            float[] continued = AttentionMasks.causalSegmentBias(m.create(new long[][] {{2}}), keys, 3).toFloatArray();
            assertArrayEquals(new float[] {x, x, 0, 0}, continued);
        }
    }

    @Test
    void positionsFromPaddingMask_countsRealTokens() {
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray positions = AttentionMasks.positionsFromPaddingMask(m.create(new long[][] {{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}}));
            assertArrayEquals(new long[] {0, 0, 0, 1, 2, 0, 1, 2, 3, 4}, positions.toLongArray());
            assertNotNull(positions);
        }
    }
}
