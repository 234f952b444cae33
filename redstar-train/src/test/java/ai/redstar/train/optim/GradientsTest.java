package ai.redstar.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientsTest {
    @Test
    void clipGlobalNorm_scalesAllGradientsAsTorchDoes() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = params(m, new float[] {3, 4}, new float[] {12});
            double norm = Gradients.clipGlobalNorm(params, 6.5);
            assertEquals(13.0, norm, 1e-6);
            // torch.nn.utils.clip_grad_norm_ (adamw_reference.py): 1.4999998807907104, 1.9999998807907104, 5.999999523...
            assertArrayEquals(new float[] {1.4999998807907104f, 1.9999998807907104f},
                    params.get("a").getGradient().toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {5.999999523162842f}, params.get("b").getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void clipGlobalNorm_belowTheLimit_leavesGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = params(m, new float[] {3, 4}, new float[] {12});
            assertEquals(13.0, Gradients.clipGlobalNorm(params, 20), 1e-6);
            assertArrayEquals(new float[] {3, 4}, params.get("a").getGradient().toFloatArray(), 0f);
            assertEquals(13.0, Gradients.clipGlobalNorm(params, Double.POSITIVE_INFINITY), 1e-6);
        }
    }

    @Test
    void globalNorm_nonFiniteGradient_isReportedAndNamed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = params(m, new float[] {3, Float.NaN}, new float[] {12});
            assertTrue(Double.isNaN(Gradients.clipGlobalNorm(params, 1.0)));
            assertEquals(List.of("a"), Gradients.nonFinite(params));
            Gradients.zero(params);
            assertEquals(0.0, Gradients.globalNorm(params));
        }
    }

    @Test
    void globalNorm_parameterWithoutGradient_namesIt() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = Map.of("frozen.weight", m.create(new float[] {1}));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Gradients.globalNorm(params));
            assertTrue(e.getMessage().contains("'frozen.weight'"), e.getMessage());
        }
    }

    private static Map<String, NDArray> params(NDManager m, float[] a, float[] b) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        NDArray pa = m.zeros(new ai.djl.ndarray.types.Shape(a.length));
        NDArray pb = m.zeros(new ai.djl.ndarray.types.Shape(b.length));
        pa.setRequiresGradient(true);
        pb.setRequiresGradient(true);
        AdamWTest.setGradient(pa, a);
        AdamWTest.setGradient(pb, b);
        params.put("a", pa);
        params.put("b", pb);
        return params;
    }
}
