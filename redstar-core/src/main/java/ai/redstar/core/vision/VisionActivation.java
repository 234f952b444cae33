package ai.redstar.core.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The activation functions of the vision encoder's MLP ({@code hidden_act}) and of the projector
 * ({@code projector_hidden_act}), with the formulas of transformers' {@code activations.py}.
 */
public enum VisionActivation {
    /** {@code x·Φ(x)} with the exact (erf) normal CDF: transformers' {@code gelu}. */
    GELU("gelu"),
    /** {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}: {@code gelu_pytorch_tanh} (SigLIP's default). */
    GELU_PYTORCH_TANH("gelu_pytorch_tanh"),
    /** The same tanh approximation written out in Python: {@code gelu_new}. */
    GELU_NEW("gelu_new"),
    /** {@code x·sigmoid(1.702·x)}: {@code quick_gelu} (OpenAI CLIP's). */
    QUICK_GELU("quick_gelu"),
    /** {@code max(x, 0)}. */
    RELU("relu"),
    /** {@code x·sigmoid(x)}: {@code silu}; {@code swish} reads as this too. */
    SILU("silu");

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private final String hfName;

    VisionActivation(String hfName) {
        this.hfName = hfName;
    }

    /** The name in {@code config.json}. */
    public String hfName() {
        return hfName;
    }

    /**
     * The activation named {@code name} in {@code config.json} ({@code swish} is {@link #SILU}).
     *
     * @throws IllegalArgumentException naming the value and the supported names
     */
    public static VisionActivation fromHfName(String name) {
        if ("swish".equals(name)) {
            return SILU;
        }
        for (VisionActivation a : values()) {
            if (a.hfName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "activation '%s' is not supported; expected"
                + " one of %s", name, Arrays.stream(values()).map(VisionActivation::hfName)
                        .collect(Collectors.joining(", "))));
    }

    /**
     * Applies the activation element-wise; the result is new and differentiable. Constants are tensors libtorch owns
     * ({@link #scalar}): DJL's {@code mul(Number)} wraps a Java buffer that the multiplication's backward keeps and the
     * garbage collector may free first (sporadic NaN gradients; see DJL-NOTES and {@code PlainAttention}).
     */
    NDArray apply(NDArray x) {
        return switch (this) {
            case GELU -> x.getNDArrayInternal().gelu();
            case GELU_PYTORCH_TANH, GELU_NEW -> {
                NDArray cube = x.mul(x).mul(x);
                NDArray inner = x.add(cube.mul(scalar(x, 0.044715f))).mul(scalar(x, SQRT_2_OVER_PI));
                yield x.mul(inner.tanh().add(scalar(x, 1f))).mul(scalar(x, 0.5f));
            }
            case QUICK_GELU -> x.mul(x.mul(scalar(x, 1.702f)).getNDArrayInternal().sigmoid());
            case RELU -> x.getNDArrayInternal().relu();
            case SILU -> x.mul(x.getNDArrayInternal().sigmoid());
        };
    }

    /** A 0-d tensor of {@code value} that libtorch allocates, in {@code like}'s manager and dtype. */
    static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }
}
