package ai.redstar.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.redstar.core.model.LinearAdapter;

/**
 * The LoRA update of one projection, as PEFT's {@code lora.Linear.forward} computes it:
 * {@code lora_B(lora_A(dropout(x))) * scaling}, i.e. {@code (α/r)·dropout(x)·Aᵀ·Bᵀ}.
 * The arrays belong to the {@link LoraAdapters} that made this.
 */
final class LoraLinear implements LinearAdapter {
    final String weightName;
    final NDArray a; // [r, in]
    final NDArray b; // [out, r]
    private final float scaling;
    private final LoraAdapters owner;

    LoraLinear(String weightName, NDArray a, NDArray b, float scaling, LoraAdapters owner) {
        this.weightName = weightName;
        this.a = a;
        this.b = b;
        this.scaling = scaling;
        this.owner = owner;
    }

    @Override
    public NDArray delta(NDArray input) {
        Shape shape = input.getShape();
        NDArray flat = input.reshape(shape.get(0) * shape.get(1), shape.get(2));
        NDArray dropped = owner.dropout(flat);
        NDArray down = Linear.linear(dropped, a, null).singletonOrThrow();
        NDArray up = Linear.linear(down, b, null).singletonOrThrow();
        // a libtorch-owned scalar: DJL's mul(Number) wraps a Java buffer that autograd may read after it is freed
        NDArray alphaOverRank = up.getManager().full(new Shape(), (float) scaling, DataType.FLOAT32);
        return up.mul(alphaOverRank).reshape(shape.get(0), shape.get(1), b.getShape().get(0));
    }

    /**
     * {@code (α/r)·B·A}, the change of the weight, {@code [out, in]}: a new array in the caller's scope, detached from
     * autograd (merging must not make a base weight part of a graph, even on a thread that records one).
     */
    NDArray weightDelta() {
        return b.stopGradient().matMul(a.stopGradient()).mul(scaling);
    }
}
