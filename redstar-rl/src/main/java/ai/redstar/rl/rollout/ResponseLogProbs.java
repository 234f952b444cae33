package ai.redstar.rl.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Log-probs of the response tokens recomputed from a causal LM's logits, the way they were sampled: logits widened to
 * float32 and divided by the sampling temperature before the log-softmax, gathered at the response tokens, masked by
 * POSITION (prompt length and response length, EOS included) and never by token id, since padding may equal EOS.
 * Stateless and thread-safe.
 */
public final class ResponseLogProbs {
    private ResponseLogProbs() {
    }

    /**
     * @param logProbs [batch, maxResponse] float32; position k of row i is response token k; 0 where masked;
     *     differentiable with respect to the logits; in the logits' manager
     * @param mask [batch, maxResponse] float32, 1 for k &lt; responseLength[i]
     * @param entropy [batch, maxResponse] float32 entropy in nats of the tempered next-token distribution at each
     *     response token, 0 past the response; null unless asked for with {@code compute(..., true)}
     */
    public record Result(NDArray logProbs, NDArray mask, NDArray entropy) {
    }

    /**
     * @param logits [batch, seq, vocab] from {@code CausalLm.forward}; position t predicts token t + 1
     * @param tokens [batch, seq] int token ids (prompt then response, then anything)
     * @param responseStart position of each row's first response token, &gt;= 1 (the prompt has at least one token)
     * @param responseLength response tokens of each row, EOS included, &gt;= 0, with start + length &lt;= seq
     * @param temperature sampling temperature, finite and &gt; 0
     */
    public static Result compute(NDArray logits, NDArray tokens, int[] responseStart, int[] responseLength,
            double temperature) {
        return compute(logits, tokens, responseStart, responseLength, temperature, false);
    }

    /**
     * As {@link #compute(NDArray, NDArray, int[], int[], double)}, with the per-token entropy of the tempered policy
     * from the same log-softmax when {@code withEntropy} (one more [batch, seq, vocab] product; use it without
     * gradient).
     */
    public static Result compute(NDArray logits, NDArray tokens, int[] responseStart, int[] responseLength,
            double temperature, boolean withEntropy) {
        Shape shape = logits.getShape();
        if (shape.dimension() != 3 || tokens.getShape().dimension() != 2
                || tokens.getShape().get(0) != shape.get(0) || tokens.getShape().get(1) != shape.get(1)) {
            throw new IllegalArgumentException("logits " + shape + " must be [batch, seq, vocab] and tokens "
                    + tokens.getShape() + " [batch, seq]");
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature=" + temperature + " must be finite and > 0");
        }
        int b = (int) shape.get(0);
        int s = (int) shape.get(1);
        if (responseStart.length != b || responseLength.length != b) {
            throw new IllegalArgumentException("responseStart (" + responseStart.length + ") and responseLength ("
                    + responseLength.length + ") need one entry per row (" + b + ")");
        }
        int max = 1;
        for (int i = 0; i < b; i++) {
            if (responseStart[i] < 1 || responseLength[i] < 0 || responseStart[i] + responseLength[i] > s) {
                throw new IllegalArgumentException("row " + i + ": responseStart=" + responseStart[i]
                        + ", responseLength=" + responseLength[i] + " must satisfy start >= 1, length >= 0 and "
                        + "start + length <= seq (" + s + ")");
            }
            max = Math.max(max, responseLength[i]);
        }
        long[] index = new long[b * max];
        float[] mask = new float[b * max];
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < max; k++) {
                index[i * max + k] = Math.min(responseStart[i] - 1 + k, s - 2);
                mask[i * max + k] = k < responseLength[i] ? 1 : 0;
            }
        }
        var manager = logits.getManager();
        NDArray temp = manager.full(new Shape(), (float) temperature, DataType.FLOAT32);
        NDArray logp = logits.get(new NDIndex(":, 0:{}, :", s - 1)).toType(DataType.FLOAT32, false).div(temp)
                .logSoftmax(-1);
        NDArray next = tokens.get(new NDIndex(":, 1:")).toType(DataType.INT64, false).expandDims(2);
        NDArray tokenLogp = logp.gather(next, 2).squeeze(2);
        NDArray idx = manager.create(index, new Shape(b, max));
        NDArray m = manager.create(mask, new Shape(b, max));
        NDArray entropy = withEntropy ? logp.exp().mul(logp).sum(new int[] {-1}).neg().gather(idx, 1).mul(m) : null;
        return new Result(tokenLogp.gather(idx, 1).mul(m), m, entropy);
    }
}
