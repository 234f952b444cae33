package ai.redstar.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Locale;
import java.util.Map;

/**
 * Operations on the gradients of named parameters: the global L2 norm, clipping by it, zeroing.
 *
 * <p>Every method runs its temporaries in its own {@link NDScope} and with autograd recording off, so it may be
 * called on any thread (grad mode is per thread in PyTorch). Parameters are owned by the caller. Stateless and
 * thread-safe as far as the arrays are not used concurrently.
 */
public final class Gradients {
    /** Added to the norm before dividing, as {@code torch.nn.utils.clip_grad_norm_} does. */
    static final double CLIP_EPSILON = 1e-6;

    private Gradients() {}

    /**
     * The global L2 norm of the gradients, {@code ‖(‖g₁‖, …, ‖gₙ‖)‖₂}, computed in float32 the way
     * {@code torch.nn.utils.clip_grad_norm_} computes it; NaN or infinity when a gradient holds one.
     *
     * @param parameters name to parameter; each must have a gradient
     * @throws IllegalStateException naming the first parameter without a gradient
     */
    public static double globalNorm(Map<String, NDArray> parameters) {
        if (parameters.isEmpty()) {
            return 0;
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            NDList norms = new NDList(parameters.size());
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                norms.add(gradient(e.getKey(), e.getValue()).norm());
            }
            return NDArrays.stack(norms).norm().getFloat();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /**
     * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when that is below 1, where {@code norm} is the
     * {@link #globalNorm}, as {@code torch.nn.utils.clip_grad_norm_(parameters, maxNorm)} does; gradients are left
     * as they are when the norm is not finite (the caller decides what a NaN means).
     *
     * @param maxNorm the largest global norm kept, {@code > 0}; {@link Double#POSITIVE_INFINITY} never clips
     * @return the global norm before clipping
     * @throws IllegalArgumentException when {@code maxNorm} is not positive
     */
    public static double clipGlobalNorm(Map<String, NDArray> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "maxNorm must be positive (infinity never clips), got %s", maxNorm));
        }
        double norm = globalNorm(parameters);
        if (!Double.isFinite(norm)) {
            return norm;
        }
        float coefficient = (float) (maxNorm / (norm + CLIP_EPSILON));
        if (coefficient < 1f) {
            boolean gradMode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDScope scope = new NDScope()) {
                for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                    gradient(e.getKey(), e.getValue()).muli(coefficient);
                }
            } finally {
                JniUtils.setGradMode(gradMode);
            }
        }
        return norm;
    }

    /** Names of the parameters whose gradient holds a NaN or infinity, in map order (for diagnostics). */
    public static java.util.List<String> nonFinite(Map<String, NDArray> parameters) {
        java.util.List<String> names = new java.util.ArrayList<>();
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                try (NDScope scope = new NDScope()) {
                    NDArray g = gradient(e.getKey(), e.getValue());
                    if (!Float.isFinite(g.abs().max().getFloat())) {
                        names.add(e.getKey());
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return names;
    }

    /** Sets every gradient to zero (PyTorch accumulates gradients over backward passes until they are zeroed). */
    public static void zero(Map<String, NDArray> parameters) {
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            if (p instanceof PtNDArray pt) {
                if (!pt.hasGradient()) {
                    throw noGradient(e.getKey(), p);
                }
                JniUtils.zeroGrad(pt);
            } else {
                try (NDScope scope = new NDScope()) {
                    NDArray g = gradient(e.getKey(), p);
                    g.subi(g);
                }
            }
        }
    }

    /** The gradient of a parameter, a new wrapper registered in the current scope. */
    static NDArray gradient(String name, NDArray parameter) {
        if (!parameter.hasGradient()) {
            throw noGradient(name, parameter);
        }
        return parameter.getGradient();
    }

    private static IllegalStateException noGradient(String name, NDArray parameter) {
        return new IllegalStateException(String.format(Locale.ROOT,
                "parameter '%s' %s has no gradient; a trainable parameter must require gradients"
                        + " (setRequiresGradient(true)) before the forward pass", name, parameter.getShape()));
    }
}
