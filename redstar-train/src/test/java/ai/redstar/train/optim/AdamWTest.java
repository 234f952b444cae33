package ai.redstar.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
    private static final float[][] GRADS_W = {
        {0.1f, -0.2f, 0.3f, 0.0f, 1.5f, -0.05f}, {-0.3f, 0.2f, 0.1f, 0.2f, -1.0f, 0.0f}, {1f, 1f, -1f, 0.5f, 0.5f, 0.5f}};
    private static final float[][] GRADS_NORM = {{0.01f, -0.02f, 0.5f}, {0.02f, 0.0f, -0.5f}, {-0.01f, 0.03f, 0.25f}};
    private static final double[] LRS = {0.01, 0.02, 0.005};

    /** torch.optim.AdamW (torch 1.13) from adamw_reference.py in the test resources. */
    private static final float[][] TORCH_W = {
        {0.48950010538101196f, -0.9890000820159912f, 1.9880000352859497f, 0.24975000321865082f,
            -0.00999999325722456f, -2.9870002269744873f},
        {0.4983069896697998f, -0.9880747199058533f, 1.9664249420166016f, 0.23455141484737396f,
            -0.012884480878710747f, -2.967453956604004f},
        {0.4956422448158264f, -0.9906414747238159f, 1.9674317836761475f, 0.2304856926202774f,
            -0.014290990307927132f, -2.9688210487365723f}};
    private static final float[][] TORCH_NORM = {
        {0.9900010228157043f, 0.5099995136260986f, -0.5099999904632568f},
        {0.9708424806594849f, 0.5235714912414551f, -0.5089473724365234f},
        {0.9687417149543762f, 0.5223605632781982f, -0.509828507900238f}};
    private static final float[] TORCH_EXP_AVG_W = {0.08110000193119049f, 0.10180000215768814f,
        -0.06669999659061432f, 0.06800000369548798f, 0.08150000870227814f, 0.04594999924302101f};
    private static final float[] TORCH_EXP_AVG_SQ_W = {0.0547262504696846f, 0.05370499938726425f,
        0.05453624948859215f, 0.014399999752640724f, 0.1615312546491623f, 0.012612812221050262f};

    @Test
    void step_matchesTorchAdamWWithANoDecayGroup() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = parameters(m);
            try (AdamW adamW = AdamW.builder(params).betas(0.9, 0.95).epsilon(1e-6).weightDecay(0.1).build()) {
                assertTrue(adamW.decays("w"));
                assertFalse(adamW.decays("layer.norm.weight"));
                for (int step = 0; step < 3; step++) {
                    setGradients(params, GRADS_W[step], GRADS_NORM[step]);
                    adamW.step(LRS[step]);
                    Gradients.zero(params);
                    assertArrayEquals(TORCH_W[step], params.get("w").toFloatArray(), 1e-6f, "w after " + (step + 1));
                    assertArrayEquals(TORCH_NORM[step], params.get("layer.norm.weight").toFloatArray(), 1e-6f,
                            "norm after " + (step + 1));
                }
                assertEquals(3, adamW.steps());
                assertArrayEquals(TORCH_EXP_AVG_W, adamW.state().get("exp_avg.w").toFloatArray(), 1e-7f);
                assertArrayEquals(TORCH_EXP_AVG_SQ_W, adamW.state().get("exp_avg_sq.w").toFloatArray(), 1e-7f);
            }
        }
    }

    @Test
    void step_firstUpdate_isLearningRateTimesSignAfterDecay() {
        // Hand-derived: after one step m̂ = g and v̂ = g², so the update is lr · g / (|g| + ε) ≈ lr · sign(g),
        // applied after the decoupled decay p·(1 − lr·λ).
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {2f, -4f});
            p.setRequiresGradient(true);
            Map<String, NDArray> params = Map.of("proj.weight", p);
            try (AdamW adamW = AdamW.builder(params).weightDecay(0.5).epsilon(1e-8).build()) {
                setGradient(p, new float[] {0.25f, -3f});
                adamW.step(0.1);
                double decay = 1 - 0.1 * 0.5;
                double expected0 = 2 * decay - 0.1 * 0.25 / (0.25 + 1e-8);
                double expected1 = -4 * decay + 0.1 * 3 / (3 + 1e-8);
                assertArrayEquals(new float[] {(float) expected0, (float) expected1}, p.toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void restore_continuesBitExactly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = parameters(m);
            Map<String, NDArray> b = parameters(m);
            try (AdamW first = AdamW.builder(a).weightDecay(0.1).build();
                    AdamW second = AdamW.builder(b).weightDecay(0.1).build()) {
                setGradients(a, GRADS_W[0], GRADS_NORM[0]);
                first.step(0.01);
                Gradients.zero(a);
                // copy the state and values of the first into the second, as a checkpoint would
                Map<String, NDArray> saved = new LinkedHashMap<>();
                first.state().forEach((name, array) -> saved.put(name, array.duplicate()));
                b.get("w").set(a.get("w").toFloatArray());
                b.get("layer.norm.weight").set(a.get("layer.norm.weight").toFloatArray());
                second.restore(first.steps(), saved);
                for (int step = 1; step < 3; step++) {
                    setGradients(a, GRADS_W[step], GRADS_NORM[step]);
                    setGradients(b, GRADS_W[step], GRADS_NORM[step]);
                    first.step(LRS[step]);
                    second.step(LRS[step]);
                    Gradients.zero(a);
                    Gradients.zero(b);
                }
                assertArrayEquals(a.get("w").toFloatArray(), b.get("w").toFloatArray(), 0f);
                assertArrayEquals(a.get("layer.norm.weight").toFloatArray(),
                        b.get("layer.norm.weight").toFloatArray(), 0f);
            }
        }
    }

    @Test
    void restore_wrongState_listsEveryProblem() {
        try (NDManager m = NDManager.newBaseManager(); AdamW adamW = AdamW.builder(parameters(m)).build()) {
            Map<String, NDArray> state = new LinkedHashMap<>(adamW.state());
            state.remove("exp_avg.w");
            state.put("exp_avg_sq.w", m.zeros(new Shape(3)));
            state.put("exp_avg.other", m.zeros(new Shape(1)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adamW.restore(1, state));
            assertTrue(e.getMessage().contains("'exp_avg.w' is missing"), e.getMessage());
            assertTrue(e.getMessage().contains("'exp_avg_sq.w' has shape (3), expected (2, 3)"), e.getMessage());
            assertTrue(e.getMessage().contains("'exp_avg.other' is not a moment"), e.getMessage());
        }
    }

    @Test
    void decaysByDefault_excludesBiasesAndNorms() {
        assertFalse(AdamW.decaysByDefault("model.layers.0.self_attn.q_proj.bias"));
        assertFalse(AdamW.decaysByDefault("model.layers.0.input_layernorm.weight"));
        assertFalse(AdamW.decaysByDefault("model.norm.weight"));
        assertFalse(AdamW.decaysByDefault("encoder.LayerNorm.weight"));
        assertTrue(AdamW.decaysByDefault("model.embed_tokens.weight"));
        assertTrue(AdamW.decaysByDefault("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
    }

    @Test
    void build_invalidSettings_reportsAll() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdamW
                    .builder(parameters(m)).betas(1.0, -0.1).epsilon(0).weightDecay(-1).build());
            for (String s : new String[] {"beta1", "beta2", "epsilon", "weightDecay"}) {
                assertTrue(e.getMessage().contains(s), s + " in " + e.getMessage());
            }
        }
    }

    private static Map<String, NDArray> parameters(NDManager m) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        NDArray w = m.create(new float[] {0.5f, -1f, 2f, 0.25f, 0f, -3f}, new Shape(2, 3));
        NDArray norm = m.create(new float[] {1f, 0.5f, -0.5f});
        w.setRequiresGradient(true);
        norm.setRequiresGradient(true);
        params.put("w", w);
        params.put("layer.norm.weight", norm);
        return params;
    }

    private static void setGradients(Map<String, NDArray> params, float[] w, float[] norm) {
        setGradient(params.get("w"), w);
        setGradient(params.get("layer.norm.weight"), norm);
    }

    /** Makes the gradient of {@code p} equal {@code g} by back-propagating {@code sum(p · g)}. */
    static void setGradient(NDArray p, float[] g) {
        try (NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray weights = p.getManager().create(g, p.getShape());
            collector.backward(p.mul(weights).sum());
        }
    }
}
