package ai.redstar.core.model;

import static ai.redstar.core.model.TinyModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CausalLmWithConfigTest {
    private static final Device CPU = Device.cpu();

    @Test
    void withConfig_movesTheSameArrays_andClosesTheOriginal() {
        CausalLm original = CausalLm.randomInit(TinyModels.qwen2(), 3, CPU);
        Map<String, NDArray> arrays = new LinkedHashMap<>(original.parameters());
        ModelConfig longer = original.config().toBuilder().ropeScaling(RopeScaling.linear(2.0))
                .maxPositionEmbeddings(65_536).build();
        try (CausalLm moved = original.withConfig(longer); NDManager m = NDManager.newBaseManager(CPU)) {
            assertTrue(original.isClosed());
            assertFalse(moved.isClosed());
            assertEquals(longer, moved.config());
            assertEquals(arrays.keySet(), moved.parameters().keySet());
            arrays.forEach((name, array) -> assertSame(array, moved.parameters().get(name), name));
            NDArray ids = m.create(new long[][] {{1, 2, 3}});
            NDArray pos = m.create(new long[][] {{0, 1, 2}});
            NDArray seg = m.create(new long[][] {{1, 1, 1}});
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> original.forward(ids, pos, seg));
            assertTrue(e.getMessage().contains("withConfig"), e.getMessage());
            original.close(); // a no-op: the parameters belong to the moved model
            assertEquals(3, moved.forward(ids, pos, seg).getShape().get(1));
        }
    }

    @Test
    void withConfig_ropeScaling_isAppliedInTheForwardPass() {
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray ids = m.create(new long[][] {{5, 9, 4, 7, 1}});
            NDArray pos = m.create(new long[][] {{0, 1, 2, 3, 4}});
            NDArray doubled = m.create(new long[][] {{0, 2, 4, 6, 8}});
            NDArray seg = m.create(new long[][] {{1, 1, 1, 1, 1}});
            CausalLm original = CausalLm.randomInit(TinyModels.qwen2(), 11, CPU);
            NDArray before = original.forward(ids, pos, seg);
            try (CausalLm scaled = original.withConfig(
                    original.config().toBuilder().ropeScaling(RopeScaling.linear(2.0)).build())) {
                // Position 2p under factor 2 has exactly the angles of position p without scaling.
                assertEquals(0f, maxAbsDiff(before, scaled.forward(ids, doubled, seg)), 1e-6f);
                assertTrue(maxAbsDiff(before, scaled.forward(ids, pos, seg)) > 1e-4f);
            }
        }
    }

    @Test
    void withConfig_otherShapes_throwNamingTheTensor() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 3, CPU)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.withConfig(model.config().toBuilder().intermediateSize(64).build()));
            assertTrue(e.getMessage().contains("model.layers.0.mlp.gate_proj.weight"), e.getMessage());
            IllegalArgumentException untied = assertThrows(IllegalArgumentException.class,
                    () -> model.withConfig(model.config().toBuilder().tieWordEmbeddings(false).build()));
            assertTrue(untied.getMessage().contains("lm_head.weight"), untied.getMessage());
            assertFalse(model.isClosed());
        }
    }

    @Test
    void withConfig_withAnAdapterInstalled_throws() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 3, CPU)) {
            model.setAdapter("model.layers.0.self_attn.v_proj.weight", x -> x.get(":, :, 0:16"));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> model.withConfig(model.config()));
            assertTrue(e.getMessage().contains("model.layers.0.self_attn.v_proj.weight"), e.getMessage());
            assertFalse(model.isClosed());
        }
    }

    @Test
    void withConfig_keepsFrozenParametersFrozen_andGradientsFlowToTheOthers() {
        CausalLm original = CausalLm.randomInit(TinyModels.qwen2(), 3, CPU);
        original.parameters().forEach((name, p) -> p.setRequiresGradient(!name.contains("embed")));
        try (CausalLm moved = original.withConfig(original.config());
                NDManager m = NDManager.newBaseManager(CPU)) {
            assertFalse(moved.parameters().get("model.embed_tokens.weight").hasGradient());
            assertTrue(moved.parameters().get("model.norm.weight").hasGradient());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                    NDScope scope = new NDScope()) {
                NDArray logits = moved.forward(m.create(new long[][] {{1, 2}}), m.create(new long[][] {{0, 1}}),
                        m.create(new long[][] {{1, 1}}));
                collector.backward(logits.get(":, :, 3").sum());
            }
            try (NDArray g = moved.parameters().get("model.layers.0.mlp.up_proj.weight").getGradient()) {
                assertTrue(g.abs().max().getFloat() > 0);
            }
        }
    }
}
