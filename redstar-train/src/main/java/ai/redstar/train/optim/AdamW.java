package ai.redstar.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", arXiv 1711.05101) with the exact semantics
 * of {@code torch.optim.AdamW} (amsgrad off): for update {@code t} with gradient {@code g}, learning rate {@code lr},
 * <pre>
 *   p ← p · (1 − lr · λ)                      decoupled weight decay, only for parameters that decay
 *   m ← β₁ · m + (1 − β₁) · g
 *   v ← β₂ · v + (1 − β₂) · g²
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * (ε is added after the square root of the bias-corrected second moment, unlike DJL's built-in AdamW).
 *
 * <p><b>Groups.</b> Weight decay {@code λ} applies to the parameters that {@link Builder#decays} accepts; by default
 * ({@link #decaysByDefault}) every parameter except biases and normalisation weights, as {@code transformers}'
 * {@code Trainer} groups them: a name ending in {@code bias} or containing {@code norm} (which covers
 * {@code layernorm}, {@code input_layernorm}, {@code model.norm}) is not decayed. Embeddings, output heads and
 * adapter matrices such as LoRA's {@code lora_A.weight}/{@code lora_B.weight} are decayed like other weights.
 *
 * <p><b>Ownership.</b> The optimiser updates the given parameters in place and reads only their gradients; it never
 * touches other arrays and never zeroes gradients (use {@link Gradients#zero}). It owns its moment arrays (float32,
 * shaped like the parameters, in its own manager on the parameters' device) until {@link #close()}. Updates run with
 * autograd recording off, so {@link #step} may be called from any thread.
 *
 * <p>Not thread-safe: one thread steps an optimiser.
 */
public final class AdamW implements AutoCloseable {
    /** Prefix of first-moment tensors in {@link #state()}. */
    public static final String EXP_AVG = "exp_avg.";
    /** Prefix of second-moment tensors in {@link #state()}. */
    public static final String EXP_AVG_SQ = "exp_avg_sq.";

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final List<Slot> slots;
    private final NDManager manager;
    private long steps;
    private boolean closed;

    private AdamW(Builder b) {
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.weightDecay = b.weightDecay;
        NDArray first = b.parameters.values().iterator().next();
        this.manager = NDManager.newBaseManager(first.getDevice());
        List<Slot> list = new ArrayList<>();
        try {
            for (Map.Entry<String, NDArray> e : b.parameters.entrySet()) {
                NDArray p = e.getValue();
                NDArray m = manager.zeros(p.getShape(), DataType.FLOAT32);
                NDArray v = manager.zeros(p.getShape(), DataType.FLOAT32);
                NDScope.unregister(m, v);
                list.add(new Slot(e.getKey(), p, m, v, b.decays.test(e.getKey())));
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.slots = Collections.unmodifiableList(list);
    }

    /**
     * A builder over the parameters to optimise (defaults: {@code torch.optim.AdamW}'s betas (0.9, 0.999) and epsilon
     * 1e-8; weight decay 0, as {@code transformers}' {@code TrainingArguments}).
     *
     * @param parameters name to float32 parameter, in the order the moments will be stored; not copied, updated in
     *     place; must not be empty
     */
    public static Builder builder(Map<String, NDArray> parameters) {
        return new Builder(parameters);
    }

    /**
     * The default no-decay rule: false (do not decay) for a name ending in {@code bias} or containing {@code norm},
     * ignoring case; true otherwise.
     */
    public static boolean decaysByDefault(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !(lower.endsWith("bias") || lower.contains("norm"));
    }

    /**
     * Applies one update with the parameters' current gradients.
     *
     * @param learningRate {@code lr} of this update, {@code ≥ 0}
     * @throws IllegalStateException when closed, or naming a parameter that has no gradient
     */
    public void step(double learningRate) {
        checkOpen();
        if (!(learningRate >= 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate);
        }
        steps++;
        double biasCorrection1 = 1 - Math.pow(beta1, steps);
        double biasCorrection2 = 1 - Math.pow(beta2, steps);
        float stepSize = (float) (learningRate / biasCorrection1);
        float biasCorrection2Sqrt = (float) Math.sqrt(biasCorrection2);
        float decayFactor = (float) (1 - learningRate * weightDecay);
        float oneMinusBeta1 = (float) (1 - beta1);
        float oneMinusBeta2 = (float) (1 - beta2);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Slot s : slots) {
                try (NDScope scope = new NDScope()) {
                    NDArray g = Gradients.gradient(s.name, s.parameter);
                    if (s.decays && weightDecay != 0) {
                        s.parameter.muli(decayFactor);
                    }
                    s.m.muli((float) beta1).addi(g.mul(oneMinusBeta1));
                    s.v.muli((float) beta2).addi(g.square().muli(oneMinusBeta2));
                    NDArray denominator = s.v.sqrt().divi(biasCorrection2Sqrt).addi((float) epsilon);
                    s.parameter.subi(s.m.div(denominator).muli(stepSize));
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Updates applied so far ({@code t} of the last update; the bias corrections use it). */
    public long steps() {
        return steps;
    }

    /** Whether the named parameter is decayed. */
    public boolean decays(String name) {
        for (Slot s : slots) {
            if (s.name.equals(name)) {
                return s.decays;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a parameter of this optimiser");
    }

    /**
     * The moments, live and owned by the optimiser: {@code exp_avg.<name>} and {@code exp_avg_sq.<name>} per
     * parameter, in parameter order, float32 (write them with F32 storage to keep them bit-exact).
     */
    public Map<String, NDArray> state() {
        checkOpen();
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (Slot s : slots) {
            state.put(EXP_AVG + s.name, s.m);
            state.put(EXP_AVG_SQ + s.name, s.v);
        }
        return Collections.unmodifiableMap(state);
    }

    /**
     * Restores the state written from {@link #state()} and {@link #steps()}: copies each moment in (bit-exact for
     * float32 input).
     *
     * @param steps updates applied before the state was saved, {@code ≥ 0}
     * @param state exactly the names of {@link #state()} with the parameters' shapes; owned by the caller
     * @throws IllegalArgumentException listing every missing, unexpected or misshaped tensor
     */
    public void restore(long steps, Map<String, NDArray> state) {
        checkOpen();
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        List<String> problems = new ArrayList<>();
        Map<String, NDArray> expected = state();
        for (Map.Entry<String, NDArray> e : expected.entrySet()) {
            NDArray given = state.get(e.getKey());
            if (given == null) {
                problems.add("'" + e.getKey() + "' is missing");
            } else if (!given.getShape().equals(e.getValue().getShape())) {
                problems.add(String.format(Locale.ROOT, "'%s' has shape %s, expected %s", e.getKey(),
                        given.getShape(), e.getValue().getShape()));
            }
        }
        for (String name : state.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("'" + name + "' is not a moment of this optimiser's parameters");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("optimiser state does not match the parameters: "
                    + String.join("; ", problems));
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Map.Entry<String, NDArray> e : expected.entrySet()) {
                try (NDScope scope = new NDScope()) {
                    NDArray source = state.get(e.getKey()).toType(DataType.FLOAT32, false);
                    e.getValue().set(source.toByteBuffer());
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        this.steps = steps;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this AdamW is closed");
        }
    }

    /** Frees the moments. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    private record Slot(String name, NDArray parameter, NDArray m, NDArray v, boolean decays) {}

    /** Configures an {@link AdamW}; each property may be set once. */
    public static final class Builder {
        private final Map<String, NDArray> parameters;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double weightDecay = 0;
        private Predicate<String> decays = AdamW::decaysByDefault;
        private final java.util.Set<String> set = new java.util.HashSet<>();

        private Builder(Map<String, NDArray> parameters) {
            this.parameters = new LinkedHashMap<>(Objects.requireNonNull(parameters, "parameters"));
        }

        /** {@code β₁, β₂} in {@code [0, 1)} (default 0.9, 0.999). */
        public Builder betas(double beta1, double beta2) {
            once("betas");
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** {@code ε > 0} (default 1e-8). */
        public Builder epsilon(double epsilon) {
            once("epsilon");
            this.epsilon = epsilon;
            return this;
        }

        /** Decoupled weight decay {@code λ ≥ 0} (default 0). */
        public Builder weightDecay(double weightDecay) {
            once("weightDecay");
            this.weightDecay = weightDecay;
            return this;
        }

        /** Which parameter names are decayed (default {@link AdamW#decaysByDefault}). */
        public Builder decays(Predicate<String> rule) {
            once("decays");
            this.decays = Objects.requireNonNull(rule, "rule");
            return this;
        }

        /**
         * The optimiser, with zeroed moments.
         *
         * @throws IllegalArgumentException listing every invalid setting
         */
        public AdamW build() {
            List<String> problems = new ArrayList<>();
            if (parameters.isEmpty()) {
                problems.add("no parameters to optimise");
            }
            if (!(beta1 >= 0 && beta1 < 1)) {
                problems.add("beta1 must be in [0, 1), got " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                problems.add("beta2 must be in [0, 1), got " + beta2);
            }
            if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
                problems.add("epsilon must be positive and finite, got " + epsilon);
            }
            if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
                problems.add("weightDecay must be finite and >= 0, got " + weightDecay);
            }
            parameters.forEach((name, p) -> {
                if (p == null) {
                    problems.add("parameter '" + name + "' is null");
                } else if (p.getDataType() != DataType.FLOAT32) {
                    problems.add("parameter '" + name + "' is " + p.getDataType() + "; AdamW updates float32");
                }
            });
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid AdamW: " + String.join("; ", problems));
            }
            return new AdamW(this);
        }

        private void once(String property) {
            if (!set.add(property)) {
                throw new IllegalStateException("AdamW property '" + property + "' was already set");
            }
        }
    }
}
