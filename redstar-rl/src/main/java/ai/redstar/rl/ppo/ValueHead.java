package ai.redstar.rl.ppo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * PPO's critic: a linear layer {@code [hidden → 1]} on a causal LM's final hidden states (from
 * {@code CausalLm.hiddenStates}), giving one value per position. The value of response token k is read at the
 * position that predicts it ({@code responseStart − 1 + k}), i.e. the state before the token is emitted.
 *
 * <p>Owns its float32 weight {@code [hidden, 1]} (normal, std 1/√hidden, seeded) and bias {@code [1]} (zero), with
 * gradients attached; close it to free them. Not thread-safe while being trained.
 */
public final class ValueHead implements AutoCloseable {
    private final NDManager manager;
    private final NDArray weight;
    private final NDArray bias;

    private ValueHead(NDManager manager, NDArray weight, NDArray bias) {
        this.manager = manager;
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * @param hidden the model's hidden size, &gt;= 1
     * @param seed seed of the weight initialisation
     * @param device where the parameters live (the model's device)
     */
    public static ValueHead create(int hidden, long seed, Device device) {
        if (hidden < 1) {
            throw new IllegalArgumentException("hidden=" + hidden + " must be >= 1");
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[hidden];
        double std = 1 / Math.sqrt(hidden);
        for (int i = 0; i < hidden; i++) {
            // Box-Muller
            double u = 1 - random.nextDouble();
            w[i] = (float) (std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            NDArray weight = manager.create(w, new Shape(hidden, 1));
            NDArray bias = manager.zeros(new Shape(1), DataType.FLOAT32);
            weight.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            return new ValueHead(manager, weight, bias);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The trainable parameters, {@code value_head.weight} and {@code value_head.bias}, owned by this head. */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("value_head.weight", weight);
        out.put("value_head.bias", bias);
        return out;
    }

    /**
     * Values of the response tokens.
     *
     * @param hiddenStates {@code [batch, seq, hidden]} float32
     * @param responseStart position of each row's first response token, &gt;= 1
     * @param responseLength response tokens of each row
     * @return {@code [batch, max(1, longest response)]} float32, 0 past each row's length, differentiable with respect
     *     to the head and the hidden states, in the hidden states' manager
     */
    public NDArray responseValues(NDArray hiddenStates, int[] responseStart, int[] responseLength) {
        Shape shape = hiddenStates.getShape();
        int b = (int) shape.get(0);
        int s = (int) shape.get(1);
        int max = 1;
        for (int len : responseLength) {
            max = Math.max(max, len);
        }
        long[] index = new long[b * max];
        float[] mask = new float[b * max];
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < max; k++) {
                index[i * max + k] = Math.min(responseStart[i] - 1 + k, s - 1);
                mask[i * max + k] = k < responseLength[i] ? 1 : 0;
            }
        }
        NDManager m = hiddenStates.getManager();
        NDArray values = hiddenStates.matMul(weight).squeeze(2).add(bias);
        return values.gather(m.create(index, new Shape(b, max)), 1).mul(m.create(mask, new Shape(b, max)));
    }

    @Override
    public void close() {
        manager.close();
    }
}
