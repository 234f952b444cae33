package ai.redstar.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Tiny configurations and array helpers shared by the model tests. */
final class TinyModels {
    private TinyModels() {}

    /** Qwen2: q/k/v biases, tied head, 4 heads over 2 KV heads. */
    static ModelConfig qwen2() {
        return ModelConfig.builder(ModelType.QWEN2)
                .vocabSize(96).hiddenSize(32).intermediateSize(48).numHiddenLayers(2)
                .numAttentionHeads(4).numKeyValueHeads(2).tieWordEmbeddings(true).build();
    }

    /** Llama: every bias, untied head, head_dim 12 != hidden / heads, linear RoPE scaling. */
    static ModelConfig llamaWithBiases() {
        return ModelConfig.builder(ModelType.LLAMA)
                .vocabSize(80).hiddenSize(24).intermediateSize(40).numHiddenLayers(2)
                .numAttentionHeads(3).numKeyValueHeads(1).headDim(12).attentionBias(true).mlpBias(true)
                .ropeScaling(RopeScaling.linear(2.0)).tieWordEmbeddings(false).build();
    }

    static NDArray longs(NDManager m, long[][] rows) {
        return m.create(rows);
    }

    static float maxAbsDiff(NDArray a, NDArray b) {
        try (NDArray d = a.sub(b); NDArray abs = d.abs(); NDArray max = abs.max()) {
            return max.getFloat();
        }
    }

    /** Row {@code row} and the sequence slice {@code [from, to)} of a {@code [batch, seq, ...]} array. */
    static NDArray slice(NDArray a, int row, int from, int to) {
        return a.get(row + ", " + from + ":" + to);
    }

    static Shape shape(long... dims) {
        return new Shape(dims);
    }
}
