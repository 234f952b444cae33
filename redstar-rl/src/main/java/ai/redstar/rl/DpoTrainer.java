package ai.redstar.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlWriter;
import ai.redstar.core.model.CausalLm;
import ai.redstar.rl.dpo.DpoLoss;
import ai.redstar.rl.dpo.PreferencePair;
import ai.redstar.rl.rollout.ResponseLogProbs;
import ai.redstar.train.CheckpointStore;
import ai.redstar.train.optim.AdamW;
import ai.redstar.train.optim.LrSchedule;
import com.google.gson.JsonArray;
import ai.redstar.train.optim.Gradients;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offline DPO of a {@link CausalLm} on preference pairs: each step takes {@code pairsPerStep} pairs (a seeded
 * reshuffle of the pool whenever it runs out), runs the chosen and rejected sequences through the policy in one
 * batch, sums each response's log-probs (masked by position), applies {@link DpoLoss} against the reference
 * log-probs and makes one AdamW update with global-norm clipping.
 *
 * <pre>{@code
 * List<DpoStepMetrics> m = DpoTrainer.builder(policy, PreferencePairs.fromJsonl(file, tokenizer))
 *         .strategy(Dpo.defaults()).steps(200).learningRate(5e-7).build().fit();
 * }</pre>
 *
 * <p>Reference. With {@link Dpo.Reference#CACHED} every pair's reference log-probs are computed once before the
 * first step, by the reference model if one is given, else by the policy itself before it is updated (the usual
 * case: the reference is the starting model, and no second copy is held). With {@link Dpo.Reference#LIVE} the
 * reference model (then required) scores each step's pairs again. The policy's parameters are updated in place;
 * the reference is only read. A non-finite loss or gradient norm zeroes the gradients and throws
 * {@link IllegalStateException} before the update. Not thread-safe; one {@link #fit()} at a time.
 */
public final class DpoTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(DpoTrainer.class);

    private final Builder s;

    private DpoTrainer(Builder s) {
        this.s = s;
    }

    /**
     * @param policy the model to train, updated in place
     * @param pairs the preference pairs (tokenized with the policy's tokenizer)
     */
    public static Builder builder(CausalLm policy, List<PreferencePair> pairs) {
        return new Builder(policy, pairs);
    }

    /** Runs every step and returns their metrics in order. */
    public List<DpoStepMetrics> fit() {
        int n = s.pairs.size();
        float[][] cached = null;
        JsonObject resumed = null;
        if (s.outputDir != null) {
            CheckpointStore.removeLeftovers(s.outputDir);
        }
        if (s.resumeFrom != null) {
            resumed = RlCheckpoints.readState(s.resumeFrom);
        }
        if (resumed != null && resumed.has("reference_logps")
                && resumed.getAsJsonArray("reference_logps").size() == 2 * n) {
            JsonArray a = resumed.getAsJsonArray("reference_logps");
            cached = new float[n][];
            for (int i = 0; i < n; i++) {
                cached[i] = new float[] {a.get(2 * i).getAsFloat(), a.get(2 * i + 1).getAsFloat()};
            }
        } else if (s.strategy.reference() == Dpo.Reference.CACHED) {
            CausalLm ref = s.reference != null ? s.reference : s.policy;
            cached = new float[n][];
            for (int from = 0; from < n; from += s.pairsPerStep) {
                int[] idx = new int[Math.min(s.pairsPerStep, n - from)];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = from + i;
                }
                float[] lp = referenceLogProbs(ref, idx);
                for (int i = 0; i < idx.length; i++) {
                    cached[idx[i]] = new float[] {lp[i], lp[idx.length + i]};
                }
            }
        }
        List<DpoStepMetrics> out = new ArrayList<>();
        SplittableRandom order = new SplittableRandom(s.seed);
        int[] pool = new int[n];
        for (int i = 0; i < n; i++) {
            pool[i] = i;
        }
        int cursor = n;
        long shuffles = 0;
        long firstStep = 1;
        try (AdamW adamW = AdamW.builder(s.policy.parameters()).weightDecay(s.weightDecay).build();
                JsonlWriter metrics = s.metricsFile == null ? null : Jsonl.append(s.metricsFile)) {
            if (s.resumeFrom != null) {
                JsonObject state = RlCheckpoints.restore(s.resumeFrom, s.policy.parameters(), adamW, manifest(),
                        s.policy.device());
                firstStep = state.get("step").getAsLong() + 1;
                cursor = state.get("cursor").getAsInt();
                long done = state.get("shuffles").getAsLong();
                // the pair order: replay the seeded reshuffles the saved run made
                for (; shuffles < done; shuffles++) {
                    shuffle(pool, order);
                }
            }
            for (long step = firstStep; step <= s.steps; step++) {
                long started = System.nanoTime();
                int[] idx = new int[Math.min(s.pairsPerStep, n)];
                for (int i = 0; i < idx.length; i++) {
                    if (cursor == n) {
                        shuffle(pool, order);
                        shuffles++;
                        cursor = 0;
                    }
                    idx[i] = pool[cursor++];
                }
                float[] ref;
                if (cached != null) {
                    ref = new float[2 * idx.length];
                    for (int i = 0; i < idx.length; i++) {
                        ref[i] = cached[idx[i]][0];
                        ref[idx.length + i] = cached[idx[i]][1];
                    }
                } else {
                    ref = referenceLogProbs(s.reference, idx);
                }
                double[] m = update(idx, ref);
                checkFinite("loss", m[0], step);
                double norm = Gradients.clipGlobalNorm(s.policy.parameters(), s.maxGradientNorm);
                checkFinite("gradient norm", norm, step);
                adamW.step(s.schedule == null ? s.learningRate : s.schedule.learningRate(adamW.steps() + 1));
                Gradients.zero(s.policy.parameters());
                DpoStepMetrics dm = new DpoStepMetrics(step, m[0], m[1] - m[2], m[3], m[1], m[2], m[4], m[5], norm,
                        (System.nanoTime() - started) / 1e9);
                out.add(dm);
                if (metrics != null) {
                    metrics.write(json(dm));
                }
                LOG.info("dpo step {}: loss {} margin {} accuracy {}", step,
                        String.format(Locale.ROOT, "%.4f", dm.loss()),
                        String.format(Locale.ROOT, "%.4f", dm.rewardMargin()),
                        String.format(Locale.ROOT, "%.3f", dm.accuracy()));
                s.onStep.accept(dm);
                if (s.outputDir != null && (step % s.checkpointEvery == 0 || step == s.steps)) {
                    JsonObject state = new JsonObject();
                    state.addProperty("format", RlCheckpoints.FORMAT);
                    state.addProperty("trainer", "dpo");
                    state.addProperty("step", step);
                    state.addProperty("cursor", cursor);
                    state.addProperty("shuffles", shuffles);
                    state.addProperty("optimizer_steps", adamW.steps());
                    state.addProperty("rng", "pair order: SplittableRandom(seed), one in-place Fisher-Yates"
                            + " reshuffle of the pool per pass; replayed 'shuffles' times on resume");
                    state.add("manifest", manifest());
                    if (cached != null) {
                        JsonArray a = new JsonArray();
                        for (float[] c : cached) {
                            a.add(c[0]);
                            a.add(c[1]);
                        }
                        state.add("reference_logps", a);
                    }
                    RlCheckpoints.save(s.outputDir, step, s.policy.parameters(), adamW, state, s.keepCheckpoints);
                }
            }
        }
        return out;
    }

    /** What the run is; a resumed run must match it. */
    private JsonObject manifest() {
        JsonObject m = new JsonObject();
        m.addProperty("trainer", "dpo");
        m.addProperty("strategy", s.strategy.toString());
        m.addProperty("seed", s.seed);
        m.addProperty("pairs", s.pairs.size());
        m.addProperty("pairs_per_step", s.pairsPerStep);
        m.addProperty("learning_rate", s.learningRate);
        m.addProperty("schedule", String.valueOf(s.schedule));
        m.addProperty("weight_decay", s.weightDecay);
        m.addProperty("max_gradient_norm", s.maxGradientNorm);
        return m;
    }

    /** Layout of the chosen rows then the rejected rows of the given pairs, right-padded; see {@link #layout}. */
    private record Layout(NDArray ids, NDArray positions, NDArray segments, int[] starts, int[] lengths) {
    }

    private Layout layout(int[] idx, NDManager manager) {
        int rows = 2 * idx.length;
        int[][] seqs = new int[rows][];
        int[] starts = new int[rows];
        int[] lengths = new int[rows];
        int width = 2;
        for (int r = 0; r < rows; r++) {
            PreferencePair p = s.pairs.get(idx[r % idx.length]);
            int[] prompt = p.prompt();
            int[] response = r < idx.length ? p.chosen() : p.rejected();
            int[] row = java.util.Arrays.copyOf(prompt, prompt.length + response.length);
            System.arraycopy(response, 0, row, prompt.length, response.length);
            seqs[r] = row;
            starts[r] = prompt.length;
            lengths[r] = response.length;
            width = Math.max(width, row.length);
        }
        long[] ids = new long[rows * width];
        long[] pos = new long[rows * width];
        long[] seg = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < seqs[r].length; t++) {
                ids[r * width + t] = seqs[r][t];
                pos[r * width + t] = t;
                seg[r * width + t] = 1;
            }
        }
        Shape shape = new Shape(rows, width);
        return new Layout(manager.create(ids, shape), manager.create(pos, shape), manager.create(seg, shape), starts,
                lengths);
    }

    /** Summed response log-probs [2·pairs] (chosen then rejected) of {@code model}, differentiable. */
    private NDArray sequenceLogProbs(CausalLm model, Layout l) {
        NDArray logits = model.forward(l.ids(), l.positions(), l.segments());
        return ResponseLogProbs.compute(logits, l.ids(), l.starts(), l.lengths(), 1.0).logProbs().sum(new int[] {1});
    }

    private float[] referenceLogProbs(CausalLm model, int[] idx) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager manager = NDManager.newBaseManager(model.device()); NDScope scope = new NDScope()) {
            return sequenceLogProbs(model, layout(idx, manager)).toFloatArray();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Forward and backward of one step; returns loss, chosen reward, rejected reward, accuracy, chosen and
     * rejected log-prob (means over pairs). */
    private double[] update(int[] idx, float[] ref) {
        int b = idx.length;
        try (NDManager manager = NDManager.newBaseManager(s.policy.device()); NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray lp = sequenceLogProbs(s.policy, layout(idx, manager));
            NDArray chosen = lp.get("0:" + b);
            NDArray rejected = lp.get(b + ":");
            NDArray refAll = manager.create(ref);
            DpoLoss.Result r = DpoLoss.compute(s.strategy, chosen, rejected, refAll.get("0:" + b),
                    refAll.get(b + ":"));
            NDArray loss = r.loss().mean();
            collector.backward(loss);
            float[] cr = r.chosenRewards().toFloatArray();
            float[] rr = r.rejectedRewards().toFloatArray();
            float[] all = lp.toFloatArray();
            double[] m = new double[6];
            m[0] = loss.getFloat();
            for (int i = 0; i < b; i++) {
                m[1] += cr[i] / (double) b;
                m[2] += rr[i] / (double) b;
                m[3] += cr[i] > rr[i] ? 1.0 / b : 0;
                m[4] += all[i] / (double) b;
                m[5] += all[b + i] / (double) b;
            }
            return m;
        }
    }

    private static JsonObject json(DpoStepMetrics m) {
        JsonObject o = new JsonObject();
        o.addProperty("step", m.step());
        o.addProperty("loss", m.loss());
        o.addProperty("reward_margin", m.rewardMargin());
        o.addProperty("accuracy", m.accuracy());
        o.addProperty("chosen_reward", m.chosenReward());
        o.addProperty("rejected_reward", m.rejectedReward());
        o.addProperty("chosen_logp", m.chosenLogProb());
        o.addProperty("rejected_logp", m.rejectedLogProb());
        o.addProperty("grad_norm", m.gradientNorm());
        o.addProperty("seconds", m.seconds());
        return o;
    }

    private void checkFinite(String what, double value, long step) {
        if (!Double.isFinite(value)) {
            Gradients.zero(s.policy.parameters());
            throw new IllegalStateException(String.format(Locale.ROOT, "DPO step %d: %s is %s; the update was not "
                    + "applied. Lower the learning rate or maxGradientNorm", step, what, value));
        }
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    /**
     * Settings of a {@link DpoTrainer}; each property may be set once. Defaults: strategy {@link Dpo#defaults()},
     * steps 100, pairsPerStep 8, learningRate 5e-7, weightDecay 0, maxGradientNorm 1.0, seed 0, no reference model
     * (the policy's starting state, cached), no metrics file.
     */
    public static final class Builder {
        private final CausalLm policy;
        private final List<PreferencePair> pairs;
        private final Set<String> set = new HashSet<>();
        private Dpo strategy = Dpo.defaults();
        private CausalLm reference;
        private long steps = 100;
        private int pairsPerStep = 8;
        private double learningRate = 5e-7;
        private double weightDecay = 0;
        private double maxGradientNorm = 1.0;
        private long seed;
        private Path metricsFile;
        private Consumer<DpoStepMetrics> onStep = m -> { };
        private Path outputDir;
        private long checkpointEvery = Long.MAX_VALUE;
        private int keepCheckpoints = 2;
        private Path resumeFrom;
        private LrSchedule schedule;

        private Builder(CausalLm policy, List<PreferencePair> pairs) {
            this.policy = Objects.requireNonNull(policy, "policy");
            this.pairs = List.copyOf(Objects.requireNonNull(pairs, "pairs"));
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " is set twice; set each property once");
            }
        }

        public Builder strategy(Dpo v) {
            once("strategy");
            strategy = Objects.requireNonNull(v, "strategy");
            return this;
        }

        /** The frozen reference model (same vocabulary); required with {@link Dpo.Reference#LIVE}. */
        public Builder reference(CausalLm v) {
            once("reference");
            reference = Objects.requireNonNull(v, "reference");
            return this;
        }

        public Builder steps(long v) {
            once("steps");
            steps = v;
            return this;
        }

        /** Pairs per optimiser update (each pair is two sequences in the batch). */
        public Builder pairsPerStep(int v) {
            once("pairsPerStep");
            pairsPerStep = v;
            return this;
        }

        public Builder learningRate(double v) {
            once("learningRate");
            learningRate = v;
            return this;
        }

        public Builder weightDecay(double v) {
            once("weightDecay");
            weightDecay = v;
            return this;
        }

        public Builder maxGradientNorm(double v) {
            once("maxGradientNorm");
            maxGradientNorm = v;
            return this;
        }

        public Builder seed(long v) {
            once("seed");
            seed = v;
            return this;
        }

        /** Where to append one JSON line per step. */
        public Builder metricsFile(Path v) {
            once("metricsFile");
            metricsFile = Objects.requireNonNull(v, "metricsFile");
            return this;
        }

        /** Called after each step with its metrics. */
        public Builder onStep(Consumer<DpoStepMetrics> v) {
            once("onStep");
            onStep = Objects.requireNonNull(v, "onStep");
            return this;
        }

        /**
         * Where {@code checkpoint-<step>/} folders go, written atomically through {@link CheckpointStore}: policy
         * parameters (float32), AdamW moments and step count, the step, the pair cursor and reshuffle count (the
         * pair order is replayed from the seed), and under {@link Dpo.Reference#CACHED} the cached reference
         * log-probs (two floats per pair; saved rather than recomputed, since the default reference, the policy's
         * starting state, no longer exists at resume). One is written at the last step.
         */
        public Builder outputDir(Path v) {
            once("outputDir");
            outputDir = Objects.requireNonNull(v, "outputDir");
            return this;
        }

        /** Also checkpoint every {@code v} steps (needs {@link #outputDir}); default only at the end. */
        public Builder checkpointEvery(long v) {
            once("checkpointEvery");
            checkpointEvery = v;
            return this;
        }

        /** Newest checkpoints kept; default 2. */
        public Builder keepCheckpoints(int v) {
            once("keepCheckpoints");
            keepCheckpoints = v;
            return this;
        }

        /**
         * Continues the run of a checkpoint folder written by this trainer with the same settings (checked): the
         * policy and AdamW take its values, the cached reference log-probs are read from it (not recomputed), and the
         * steps after its step run exactly as they would have.
         */
        public Builder resumeFrom(Path v) {
            once("resumeFrom");
            resumeFrom = Objects.requireNonNull(v, "resumeFrom");
            return this;
        }

        /**
         * Learning rate per AdamW update (1-based, counted over the whole run, so it resumes exactly), e.g. warmup +
         * cosine; replaces {@link #learningRate}. One update per step.
         */
        public Builder schedule(LrSchedule v) {
            once("schedule");
            schedule = Objects.requireNonNull(v, "schedule");
            return this;
        }

        public DpoTrainer build() {
            List<String> p = new ArrayList<>();
            if (pairs.isEmpty()) {
                p.add("pairs is empty; give at least one preference pair");
            }
            if (strategy.reference() == Dpo.Reference.LIVE && reference == null) {
                p.add("strategy.reference=LIVE needs a reference model; call reference(...) or use CACHED");
            }
            check(p, steps >= 1, "steps", steps, ">= 1");
            check(p, pairsPerStep >= 1, "pairsPerStep", pairsPerStep, ">= 1");
            check(p, learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate,
                    "finite and > 0");
            check(p, weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay, "finite and >= 0");
            check(p, maxGradientNorm > 0, "maxGradientNorm", maxGradientNorm, "> 0");
            check(p, checkpointEvery >= 1, "checkpointEvery", checkpointEvery, ">= 1");
            check(p, keepCheckpoints >= 1, "keepCheckpoints", keepCheckpoints, ">= 1");
            if (!p.isEmpty()) {
                throw new IllegalArgumentException("DpoTrainer: " + String.join("; ", p));
            }
            return new DpoTrainer(this);
        }

        private static void check(List<String> p, boolean ok, String name, Object value, String rule) {
            if (!ok) {
                p.add(name + "=" + value + " must be " + rule);
            }
        }
    }
}
