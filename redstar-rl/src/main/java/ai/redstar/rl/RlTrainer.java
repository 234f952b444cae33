package ai.redstar.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.generate.TokenDecoder;
import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlWriter;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.progress.Progress;
import ai.redstar.rl.grpo.GroupAdvantages;
import ai.redstar.rl.loss.Aggregation;
import ai.redstar.rl.loss.KlEstimators;
import ai.redstar.rl.loss.MaskedTokens;
import ai.redstar.rl.loss.PolicyLoss;
import ai.redstar.rl.reinforce.DiscountedReturns;
import ai.redstar.rl.reinforce.Whitening;
import ai.redstar.rl.reward.RewardFunction;
import ai.redstar.rl.rollout.Prompt;
import ai.redstar.rl.rollout.ResponseLogProbs;
import ai.redstar.rl.rollout.Rollouts;
import ai.redstar.rl.ppo.ValueHead;
import ai.redstar.train.CheckpointStore;
import ai.redstar.train.optim.AdamW;
import ai.redstar.train.optim.Gradients;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online RL of a {@link CausalLm} with REINFORCE++, GRPO or PPO (with a {@link ValueHead} critic): each step samples
 * {@code samplesPerPrompt} responses for {@code promptsPerStep} prompts, scores them, computes advantages, then runs
 * {@code epochs} passes over {@code miniBatches} minibatches of the clipped surrogate loss, one AdamW update (with
 * global-norm clipping) per minibatch.
 *
 * <pre>{@code
 * List<RlStepMetrics> m = RlTrainer.builder(policy, prompts).decoder(tokenizer::decode)
 *         .strategy(ReinforcePlusPlus.defaults()).reward(reward).steps(100).build().fit();
 * }</pre>
 *
 * <p>The policy's parameters are updated in place; the reference model (needed when the strategy's KL coefficient
 * is &gt; 0) is only read. A non-finite loss or gradient norm zeroes the gradients and throws
 * {@link IllegalStateException} before the update is applied. Not thread-safe; one {@link #fit()} at a time.
 */
public final class RlTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(RlTrainer.class);

    private final Builder s;

    private RlTrainer(Builder s) {
        this.s = s;
    }

    /**
     * @param policy the model to train, updated in place
     * @param prompts the prompt pool, cycled in a seeded shuffled order
     */
    public static Builder builder(CausalLm policy, List<Prompt> prompts) {
        return new Builder(policy, prompts);
    }

    /** Runs every step and returns their metrics in order. */
    public List<RlStepMetrics> fit() {
        Generator generator = Generator.builder(s.policy).decoder(s.decoder).maxBatchRows(s.forwardRows).build();
        CausalLm reference = klCoef() > 0 ? s.reference : null;
        klCoef = klCoef();
        List<RlStepMetrics> out = new ArrayList<>();
        long poolEpoch = -1;
        List<Prompt> pool = new ArrayList<>(s.prompts);
        int cursor = pool.size();
        long firstStep = 1;
        if (s.outputDir != null) {
            CheckpointStore.removeLeftovers(s.outputDir);
        }
        try (ValueHead head = s.strategy instanceof Ppo ? ValueHead.create(s.policy.config().hiddenSize(), s.seed,
                        s.policy.device()) : null;
                AdamW adamW = AdamW.builder(trainable(head)).weightDecay(s.weightDecay).build();
                NDManager inputs = NDManager.newBaseManager(s.policy.device());
                JsonlWriter metrics = s.metricsFile == null ? null : Jsonl.append(s.metricsFile);
                Progress progress = Progress.start("rl", s.steps)) {
            if (s.resumeFrom != null) {
                JsonObject state = RlCheckpoints.restore(s.resumeFrom, trainable(head), adamW, manifest(),
                        s.policy.device());
                firstStep = state.get("step").getAsLong() + 1;
                poolEpoch = state.get("pool_epoch").getAsLong();
                cursor = state.get("cursor").getAsInt();
                klCoef = state.get("kl_coef").getAsDouble();
                if (poolEpoch >= 0) {
                    pool = poolOrder(poolEpoch);
                }
            }
            progress.stepTo(firstStep - 1);
            for (long step = firstStep; step <= s.steps; step++) {
                long started = System.nanoTime();
                // 1. prompts of this step, from a seeded reshuffle of the pool whenever it runs out
                List<Prompt> prompts = new ArrayList<>();
                while (prompts.size() < s.promptsPerStep) {
                    if (cursor == pool.size()) {
                        pool = poolOrder(++poolEpoch);
                        cursor = 0;
                    }
                    prompts.add(pool.get(cursor++));
                }
                // 2. rollouts: sample, score, recompute old and reference log-probs
                SamplingParams.Builder sampling = SamplingParams.builder(s.maxNewTokens).temperature(s.temperature)
                        .samplesPerPrompt(s.samplesPerPrompt).seed(s.seed * 1_000_003L + step);
                SamplingParams params = (s.stopTokenIds == null ? sampling : sampling.stopTokenIds(s.stopTokenIds))
                        .build();
                Rollouts.Batch batch = Rollouts.generate(generator, prompts, params, s.reward, s.policy, reference,
                        s.forwardRows);
                long trainingStart = System.nanoTime();
                // 3. advantages per response token (PPO: critic values at rollout time, KL in the reward, GAE)
                float[][] oldValues = head == null ? null : oldValues(head, batch);
                Advantages adv = advantages(batch, oldValues);
                // 4. epochs over minibatches of the kept rows, one clipped update each
                Engine.getInstance().setRandomSeed((int) (s.seed + step));
                double lossSum = 0;
                double clippedTokens = 0;
                double tokens = 0;
                double gradientNorm = 0;
                double valueLossSum = 0;
                int updates = 0;
                SplittableRandom order = new SplittableRandom(s.seed * 0x9E3779B97F4A7C15L + step);
                for (int epoch = 0; epoch < s.epochs; epoch++) {
                    int[] rows = adv.keptRows().clone();
                    shuffle(rows, order);
                    for (int mb = 0; mb < s.miniBatches && rows.length > 0; mb++) {
                        int from = mb * rows.length / s.miniBatches;
                        int to = (mb + 1) * rows.length / s.miniBatches;
                        if (from == to) {
                            continue;
                        }
                        int[] part = java.util.Arrays.copyOfRange(rows, from, to);
                        Update u = update(batch, adv, part, inputs, head, oldValues);
                        checkFinite("loss", u.loss(), step);
                        gradientNorm = Gradients.clipGlobalNorm(trainable(head), s.maxGradientNorm);
                        checkFinite("gradient norm", gradientNorm, step);
                        adamW.step(s.schedule == null ? s.learningRate
                                : s.schedule.learningRate(adamW.steps() + 1));
                        Gradients.zero(trainable(head));
                        lossSum += u.loss();
                        valueLossSum += u.valueLoss();
                        clippedTokens += u.clipped();
                        tokens += u.tokens();
                        updates++;
                    }
                }
                // 5. metrics
                RlStepMetrics m = metrics(step, batch, adv, updates == 0 ? 0 : lossSum / updates,
                        tokens == 0 ? 0 : clippedTokens / tokens, gradientNorm, (System.nanoTime() - started) / 1e9,
                        updates == 0 ? 0 : valueLossSum / updates, (System.nanoTime() - trainingStart) / 1e9);
                if (s.strategy instanceof Ppo ppo && ppo.klTarget() > 0) {
                    adaptKl(ppo, batch);
                }
                out.add(m);
                if (metrics != null) {
                    JsonObject line = json(m);
                    line.add("reward_reasons", reasonCounts(batch));
                    metrics.write(line);
                }
                progress.status(String.format(Locale.ROOT, "reward %.3f acc %.3f kl %.4f", m.rewardMean(),
                        m.accuracy(), m.kl()));
                progress.step();
                LOG.info("rl step {}: reward {} accuracy {} kl {} clip {}", step,
                        String.format(Locale.ROOT, "%.4f", m.rewardMean()),
                        String.format(Locale.ROOT, "%.3f", m.accuracy()), String.format(Locale.ROOT, "%.4f", m.kl()),
                        String.format(Locale.ROOT, "%.3f", m.clipFraction()));
                s.onStep.accept(m);
                if (s.outputDir != null && (step % s.checkpointEvery == 0 || step == s.steps)) {
                    JsonObject state = new JsonObject();
                    state.addProperty("format", RlCheckpoints.FORMAT);
                    state.addProperty("step", step);
                    state.addProperty("pool_epoch", poolEpoch);
                    state.addProperty("cursor", cursor);
                    state.addProperty("kl_coef", klCoef);
                    state.addProperty("optimizer_steps", adamW.steps());
                    state.addProperty("rng", "prompt order: SplittableRandom(seed ^ mix(pool_epoch)); minibatch order:"
                            + " SplittableRandom(seed * golden + step); sampling seed seed * 1000003 + step;"
                            + " engine seed seed + step");
                    state.add("manifest", manifest());
                    RlCheckpoints.save(s.outputDir, step, trainable(head), adamW, state, s.keepCheckpoints);
                }
            }
        }
        return out;
    }

    /** The prompt pool in the seeded order of its {@code poolEpoch}-th pass (0-based). */
    private List<Prompt> poolOrder(long poolEpoch) {
        List<Prompt> pool = new ArrayList<>(s.prompts);
        shuffle(pool, new SplittableRandom(s.seed ^ 0x9E3779B97F4A7C15L * (poolEpoch + 1)));
        return pool;
    }

    /** What the run is; a resumed run must match it. */
    private JsonObject manifest() {
        JsonObject m = new JsonObject();
        m.addProperty("strategy", s.strategy.toString());
        m.addProperty("seed", s.seed);
        m.addProperty("prompts", s.prompts.size());
        m.addProperty("prompts_per_step", s.promptsPerStep);
        m.addProperty("samples_per_prompt", s.samplesPerPrompt);
        m.addProperty("max_new_tokens", s.maxNewTokens);
        m.addProperty("epochs", s.epochs);
        m.addProperty("mini_batches", s.miniBatches);
        m.addProperty("learning_rate", s.learningRate);
        m.addProperty("schedule", String.valueOf(s.schedule));
        m.addProperty("temperature", s.temperature);
        return m;
    }

    /** Per-token advantages [rows][responseLength], the rows that train, and the zero-variance prompt share. */
    private record Advantages(double[][] perToken, int[] keptRows, double zeroVarianceShare, double[][] returns) {
    }

    private record Update(double loss, double clipped, double tokens, double valueLoss) {
    }

    /** The KL coefficient in use: the strategy's, then (PPO with a KL target) the adaptive controller's. */
    private double klCoef;

    private double klCoef() {
        return Builder.klCoefOf(s.strategy);
    }

    /** The policy's parameters, plus the value head's under PPO. */
    private java.util.Map<String, NDArray> trainable(ValueHead head) {
        if (head == null) {
            return s.policy.parameters();
        }
        java.util.Map<String, NDArray> all = new java.util.LinkedHashMap<>(s.policy.parameters());
        all.putAll(head.parameters());
        return all;
    }

    /**
     * Ziegler et al.'s proportional controller: {@code β ← β·(1 + clip(KL/target − 1, −0.2, 0.2)·rows/horizon)}
     * with horizon 10000, KL the mean k1 sum per sequence.
     */
    private void adaptKl(Ppo ppo, Rollouts.Batch batch) {
        if (batch.refLogProbs() == null) {
            return;
        }
        double kl = 0;
        for (int i = 0; i < batch.rows(); i++) {
            for (int t = 0; t < batch.responseLength()[i]; t++) {
                kl += (batch.oldLogProbs()[i][t] - batch.refLogProbs()[i][t]) / batch.rows();
            }
        }
        double error = Math.max(-0.2, Math.min(0.2, kl / ppo.klTarget() - 1));
        klCoef *= 1 + error * batch.rows() / 10_000.0;
    }

    /** Critic values of each row's response tokens at rollout time, without gradient. */
    private float[][] oldValues(ValueHead head, Rollouts.Batch batch) {
        float[][] out = new float[batch.rows()][];
        boolean gradMode = ai.djl.pytorch.jni.JniUtils.isGradMode();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        try (NDManager manager = NDManager.newBaseManager(s.policy.device())) {
            for (int from = 0; from < batch.rows(); from += s.forwardRows) {
                int[] rows = new int[Math.min(s.forwardRows, batch.rows() - from)];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = from + r;
                }
                try (NDScope scope = new NDScope()) {
                    NDArray[] t = batch.tensors(rows, manager);
                    int[][] spans = batch.spans(rows);
                    float[] v = head.responseValues(s.policy.hiddenStates(t[0], t[1], t[2], null), spans[0],
                            spans[1]).toFloatArray();
                    int w = batch.width(rows);
                    for (int r = 0; r < rows.length; r++) {
                        out[rows[r]] = new float[spans[1][r]];
                        System.arraycopy(v, r * w, out[rows[r]], 0, spans[1][r]);
                    }
                }
            }
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(gradMode);
        }
        return out;
    }

    private Advantages advantages(Rollouts.Batch batch, float[][] oldValues) {
        int rows = batch.rows();
        int n = batch.samplesPerPrompt();
        GroupAdvantages.Result groups = GroupAdvantages.compute(batch.rewards(), n, true, 1e-6,
                ai.redstar.rl.loss.Variance.POPULATION);
        double[][] perToken = new double[rows][];
        List<Integer> kept = new ArrayList<>();
        if (s.strategy instanceof Ppo ppo) {
            double[][] rewards = new double[rows][];
            double[][] values = new double[rows][];
            boolean[][] mask = new boolean[rows][];
            for (int i = 0; i < rows; i++) {
                int len = batch.responseLength()[i];
                rewards[i] = new double[len];
                values[i] = new double[len];
                mask[i] = new boolean[len];
                for (int t = 0; t < len; t++) {
                    double k1 = batch.refLogProbs() == null ? 0
                            : KlEstimators.k1(batch.oldLogProbs()[i][t], batch.refLogProbs()[i][t],
                                    Double.POSITIVE_INFINITY);
                    rewards[i][t] = -klCoef * k1;
                    values[i][t] = oldValues[i][t];
                    mask[i][t] = true;
                }
                if (len > 0) {
                    rewards[i][len - 1] += batch.rewards()[i];
                    kept.add(i);
                }
            }
            ai.redstar.rl.ppo.Gae.Result g = ai.redstar.rl.ppo.Gae.compute(rewards, values, mask, ppo.gamma(),
                    ppo.lambda(), MaskedTokens.SKIP);
            perToken = kept.isEmpty() ? g.advantages()
                    : Whitening.whiten(g.advantages(), mask, ai.redstar.rl.loss.Variance.POPULATION,
                            Whitening.DEFAULT_EPS);
            return new Advantages(perToken, kept.stream().mapToInt(Integer::intValue).toArray(),
                    groups.filteredShare(), g.returns());
        } else if (s.strategy instanceof Grpo g) {
            GroupAdvantages.Result r = GroupAdvantages.compute(batch.rewards(), n, g.scaleByStd(), g.epsilon(),
                    g.variance());
            for (int i = 0; i < rows; i++) {
                perToken[i] = new double[batch.responseLength()[i]];
                java.util.Arrays.fill(perToken[i], r.advantages()[i]);
                if (r.kept()[i] && batch.responseLength()[i] > 0) {
                    kept.add(i);
                }
            }
        } else {
            ReinforcePlusPlus rpp = (ReinforcePlusPlus) s.strategy;
            double[] scores = batch.rewards().clone();
            if (rpp.groupBaseline()) {
                for (int p = 0; p < rows / n; p++) {
                    double mean = 0;
                    for (int k = 0; k < n; k++) {
                        mean += scores[p * n + k] / n;
                    }
                    for (int k = 0; k < n; k++) {
                        scores[p * n + k] -= mean;
                    }
                }
            }
            double[][] logp = new double[rows][];
            double[][] ref = new double[rows][];
            boolean[][] mask = new boolean[rows][];
            for (int i = 0; i < rows; i++) {
                int len = batch.responseLength()[i];
                logp[i] = new double[len];
                ref[i] = new double[len];
                mask[i] = new boolean[len];
                for (int t = 0; t < len; t++) {
                    logp[i][t] = batch.oldLogProbs()[i][t];
                    ref[i][t] = batch.refLogProbs() == null ? logp[i][t] : batch.refLogProbs()[i][t];
                    mask[i][t] = true;
                }
                if (len > 0) {
                    kept.add(i);
                }
            }
            double[][] returns = DiscountedReturns.compute(scores, logp, ref, mask, rpp.klCoef(),
                    Double.POSITIVE_INFINITY, rpp.scoreClip(), rpp.gamma(), MaskedTokens.SKIP);
            perToken = kept.isEmpty() ? returns
                    : Whitening.whiten(returns, mask, rpp.variance(), Whitening.DEFAULT_EPS);
        }
        return new Advantages(perToken, kept.stream().mapToInt(Integer::intValue).toArray(),
                groups.filteredShare(), null);
    }

    /** Forward and backward of one minibatch; gradients end up in the policy's parameters. */
    private Update update(Rollouts.Batch batch, Advantages adv, int[] rows, NDManager inputs, ValueHead head,
            float[][] oldValues) {
        double clip = s.strategy instanceof Grpo g ? g.clip()
                : s.strategy instanceof Ppo p ? p.clip() : ((ReinforcePlusPlus) s.strategy).clip();
        double dualClip = s.strategy instanceof Ppo ppo ? ppo.dualClip() : 0;
        int width = batch.width(rows);
        float[][] advRows = new float[batch.rows()][];
        for (int r : rows) {
            advRows[r] = new float[batch.responseLength()[r]];
            for (int t = 0; t < advRows[r].length; t++) {
                advRows[r][t] = (float) adv.perToken()[r][t];
            }
        }
        try (NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray[] t = batch.tensors(rows, inputs);
            int[][] spans = batch.spans(rows);
            Shape shape = new Shape(rows.length, width);
            NDArray hidden = head == null ? null : s.policy.hiddenStates(t[0], t[1], t[2], null);
            NDArray logits = head == null ? s.policy.forward(t[0], t[1], t[2]) : s.policy.logits(hidden);
            ResponseLogProbs.Result lp = ResponseLogProbs.compute(logits, t[0], spans[0], spans[1], s.temperature);
            NDArray old = inputs.create(batch.padded(rows, batch.oldLogProbs()), shape);
            NDArray advantages = inputs.create(batch.padded(rows, advRows), shape);
            PolicyLoss.Result pl = PolicyLoss.clipped(lp.logProbs(), old, advantages, clip, dualClip);
            NDArray perToken = pl.loss();
            if (s.strategy instanceof Grpo g && g.klCoef() > 0) {
                NDArray ref = inputs.create(batch.padded(rows, batch.refLogProbs()), shape);
                NDArray beta = inputs.full(new Shape(), (float) g.klCoef(), DataType.FLOAT32);
                perToken = perToken.add(KlEstimators.k3(lp.logProbs(), ref, 10).mul(beta));
            }
            double tokens = lp.mask().sum().getFloat();
            NDArray loss = Aggregation.TOKEN_MEAN.aggregate(perToken, lp.mask(), Math.max(1, tokens));
            double valueLoss = 0;
            NDArray total = loss;
            if (head != null) {
                Ppo ppo = (Ppo) s.strategy;
                float[][] returnRows = new float[batch.rows()][];
                for (int r : rows) {
                    returnRows[r] = new float[batch.responseLength()[r]];
                    for (int k = 0; k < returnRows[r].length; k++) {
                        returnRows[r][k] = (float) adv.returns()[r][k];
                    }
                }
                NDArray values = head.responseValues(hidden, spans[0], spans[1]);
                NDArray vl = Aggregation.TOKEN_MEAN.aggregate(PolicyLoss.value(values,
                        inputs.create(batch.padded(rows, oldValues), shape),
                        inputs.create(batch.padded(rows, returnRows), shape), ppo.valueClip()), lp.mask(),
                        Math.max(1, tokens));
                valueLoss = vl.getFloat();
                total = loss.add(vl.mul(inputs.full(new Shape(), (float) ppo.valueCoef(), DataType.FLOAT32)));
            }
            collector.backward(total);
            double clipped = pl.clipped().mul(lp.mask()).sum().getFloat();
            return new Update(loss.getFloat(), clipped, tokens, valueLoss);
        }
    }

    private RlStepMetrics metrics(long step, Rollouts.Batch batch, Advantages adv, double loss, double clipFraction,
            double gradientNorm, double seconds, double valueLoss, double trainingSeconds) {
        int rows = batch.rows();
        double reward = 0;
        double accuracy = 0;
        double length = 0;
        int longest = 0;
        double kl = 0;
        long klTokens = 0;
        for (int i = 0; i < rows; i++) {
            reward += batch.rewards()[i] / rows;
            accuracy += batch.rewards()[i] > 0 ? 1.0 / rows : 0;
            length += (double) batch.responseLength()[i] / rows;
            longest = Math.max(longest, batch.responseLength()[i]);
            if (batch.refLogProbs() != null) {
                for (int t = 0; t < batch.responseLength()[i]; t++) {
                    kl += KlEstimators.k3(batch.oldLogProbs()[i][t], batch.refLogProbs()[i][t],
                            Double.POSITIVE_INFINITY);
                    klTokens++;
                }
            }
        }
        return new RlStepMetrics(step, reward, accuracy, klTokens == 0 ? 0 : kl / klTokens, clipFraction, loss,
                length, longest, adv.zeroVarianceShare(), gradientNorm, seconds, valueLoss, batch.entropyMean(),
                batch.generationSeconds(), batch.scoringSeconds(), trainingSeconds);
    }

    /** How many rollouts of the step got each reward reason (the verifier's verdict reasons, joined by plus). */
    private static JsonObject reasonCounts(Rollouts.Batch batch) {
        java.util.TreeMap<String, Integer> counts = new java.util.TreeMap<>();
        for (String reason : batch.reasons()) {
            counts.merge(reason == null ? "" : reason, 1, Integer::sum);
        }
        JsonObject o = new JsonObject();
        counts.forEach(o::addProperty);
        return o;
    }

    private static JsonObject json(RlStepMetrics m) {
        JsonObject o = new JsonObject();
        o.addProperty("step", m.step());
        o.addProperty("reward_mean", m.rewardMean());
        o.addProperty("accuracy", m.accuracy());
        o.addProperty("kl", m.kl());
        o.addProperty("clip_fraction", m.clipFraction());
        o.addProperty("loss", m.loss());
        o.addProperty("response_length_mean", m.responseLengthMean());
        o.addProperty("response_length_max", m.responseLengthMax());
        o.addProperty("zero_variance_share", m.zeroVarianceShare());
        o.addProperty("grad_norm", m.gradientNorm());
        o.addProperty("seconds", m.seconds());
        o.addProperty("value_loss", m.valueLoss());
        o.addProperty("entropy", m.entropy());
        o.addProperty("generation_seconds", m.generationSeconds());
        o.addProperty("scoring_seconds", m.scoringSeconds());
        o.addProperty("training_seconds", m.trainingSeconds());
        return o;
    }

    private void checkFinite(String what, double value, long step) {
        if (!Double.isFinite(value)) {
            Gradients.zero(s.policy.parameters());
            throw new IllegalStateException(String.format(Locale.ROOT, "RL step %d: %s is %s; the update was not "
                    + "applied. Lower the learning rate, lower maxGradientNorm or check the rewards for NaN",
                    step, what, value));
        }
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
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
     * Settings of an {@link RlTrainer}; each property may be set once. Defaults: strategy
     * {@link ReinforcePlusPlus#defaults()}, steps 100, promptsPerStep 8, samplesPerPrompt 4, temperature 1.0,
     * maxNewTokens 64, epochs 1, miniBatches 1, learningRate 1e-6, weightDecay 0, maxGradientNorm 1.0, seed 0,
     * forwardRows 64, the model's EOS ids as stop tokens, no metrics file. Required: decoder and reward; a reference model when the
     * strategy's KL coefficient is &gt; 0.
     */
    public static final class Builder {
        private final CausalLm policy;
        private final List<Prompt> prompts;
        private final List<String> problems = new ArrayList<>();
        private final java.util.Set<String> set = new java.util.HashSet<>();
        private RlStrategy strategy = ReinforcePlusPlus.defaults();
        private RewardFunction reward;
        private TokenDecoder decoder;
        private CausalLm reference;
        private long steps = 100;
        private int promptsPerStep = 8;
        private int samplesPerPrompt = 4;
        private double temperature = 1.0;
        private int maxNewTokens = 64;
        private int epochs = 1;
        private int miniBatches = 1;
        private double learningRate = 1e-6;
        private double weightDecay = 0;
        private double maxGradientNorm = 1.0;
        private long seed;
        private int forwardRows = 64;
        private int[] stopTokenIds;
        private Path metricsFile;
        private Path outputDir;
        private long checkpointEvery = Long.MAX_VALUE;
        private int keepCheckpoints = 2;
        private Path resumeFrom;
        private ai.redstar.train.optim.LrSchedule schedule;
        private Consumer<RlStepMetrics> onStep = m -> { };

        private Builder(CausalLm policy, List<Prompt> prompts) {
            this.policy = Objects.requireNonNull(policy, "policy");
            this.prompts = List.copyOf(Objects.requireNonNull(prompts, "prompts"));
            if (this.prompts.isEmpty()) {
                problems.add("prompts is empty; give at least one prompt");
            }
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " is set twice; set each property once");
            }
        }

        /** REINFORCE++, GRPO or PPO (DPO is offline: see {@link DpoTrainer}). */
        public Builder strategy(RlStrategy v) {
            once("strategy");
            strategy = Objects.requireNonNull(v, "strategy");
            return this;
        }

        /** Scores each response (required). */
        public Builder reward(RewardFunction v) {
            once("reward");
            reward = Objects.requireNonNull(v, "reward");
            return this;
        }

        /** Turns response ids into the text the reward reads (required), e.g. {@code tokenizer::decode}. */
        public Builder decoder(TokenDecoder v) {
            once("decoder");
            decoder = Objects.requireNonNull(v, "decoder");
            return this;
        }

        /** The frozen reference model of the KL term (same vocabulary); only read. */
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

        public Builder promptsPerStep(int v) {
            once("promptsPerStep");
            promptsPerStep = v;
            return this;
        }

        public Builder samplesPerPrompt(int v) {
            once("samplesPerPrompt");
            samplesPerPrompt = v;
            return this;
        }

        /** Sampling temperature &gt; 0, also used for the training log-probs. */
        public Builder temperature(double v) {
            once("temperature");
            temperature = v;
            return this;
        }

        public Builder maxNewTokens(int v) {
            once("maxNewTokens");
            maxNewTokens = v;
            return this;
        }

        /** Passes over each step's rollouts. */
        public Builder epochs(int v) {
            once("epochs");
            epochs = v;
            return this;
        }

        /** Minibatches (= optimiser updates) per epoch. */
        public Builder miniBatches(int v) {
            once("miniBatches");
            miniBatches = v;
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

        /** Rows per generation chunk and per no-gradient forward pass. */
        public Builder forwardRows(int v) {
            once("forwardRows");
            forwardRows = v;
            return this;
        }

        /** Token ids that end a response (replacing the model's EOS ids); they stay inside the response. */
        public Builder stopTokenIds(int... v) {
            once("stopTokenIds");
            stopTokenIds = v.clone();
            return this;
        }

        /** Where to append one JSON line per step. */
        public Builder metricsFile(Path v) {
            once("metricsFile");
            metricsFile = Objects.requireNonNull(v, "metricsFile");
            return this;
        }

        /**
         * Where {@code checkpoint-<step>/} folders go (written atomically: trainable parameters incl. the PPO value
         * head, AdamW moments, step, prompt cursor, adaptive KL coefficient); one is written at the last step.
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
         * policy (and value head) take its values, and the steps after its step run exactly as they would have.
         */
        public Builder resumeFrom(Path v) {
            once("resumeFrom");
            resumeFrom = Objects.requireNonNull(v, "resumeFrom");
            return this;
        }

        /**
         * Learning rate per AdamW update (1-based, counted over the whole run, so it resumes exactly), e.g. warmup +
         * cosine; replaces {@link #learningRate}. Updates per step are {@code epochs · miniBatches}.
         */
        public Builder schedule(ai.redstar.train.optim.LrSchedule v) {
            once("schedule");
            schedule = Objects.requireNonNull(v, "schedule");
            return this;
        }

        /** Called after each step with its metrics. */
        public Builder onStep(Consumer<RlStepMetrics> v) {
            once("onStep");
            onStep = Objects.requireNonNull(v, "onStep");
            return this;
        }

        public RlTrainer build() {
            List<String> p = new ArrayList<>(problems);
            if (strategy instanceof Dpo) {
                p.add("strategy=Dpo is offline preference training; use DpoTrainer with preference pairs");
            }
            if (reward == null) {
                p.add("reward is not set; call reward(...)");
            }
            if (decoder == null) {
                p.add("decoder is not set; call decoder(tokenizer::decode)");
            }
            if (p.isEmpty() && klCoefOf(strategy) > 0 && reference == null) {
                p.add("the strategy's klCoef=" + klCoefOf(strategy) + " needs a reference model; call reference(...)"
                        + " or set klCoef to 0");
            }
            check(p, steps >= 1, "steps", steps, ">= 1");
            check(p, promptsPerStep >= 1, "promptsPerStep", promptsPerStep, ">= 1");
            check(p, samplesPerPrompt >= 1, "samplesPerPrompt", samplesPerPrompt, ">= 1");
            check(p, temperature > 0 && Double.isFinite(temperature), "temperature", temperature, "finite and > 0");
            check(p, maxNewTokens >= 1, "maxNewTokens", maxNewTokens, ">= 1");
            check(p, epochs >= 1, "epochs", epochs, ">= 1");
            check(p, miniBatches >= 1, "miniBatches", miniBatches, ">= 1");
            check(p, learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate,
                    "finite and > 0");
            check(p, weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay, "finite and >= 0");
            check(p, maxGradientNorm > 0, "maxGradientNorm", maxGradientNorm, "> 0");
            check(p, forwardRows >= 1, "forwardRows", forwardRows, ">= 1");
            check(p, checkpointEvery >= 1, "checkpointEvery", checkpointEvery, ">= 1");
            check(p, keepCheckpoints >= 1, "keepCheckpoints", keepCheckpoints, ">= 1");
            if (!p.isEmpty()) {
                throw new IllegalArgumentException("RlTrainer: " + String.join("; ", p));
            }
            return new RlTrainer(this);
        }

        private static double klCoefOf(RlStrategy st) {
            return st instanceof Grpo g ? g.klCoef() : st instanceof ReinforcePlusPlus r ? r.klCoef()
                    : st instanceof Ppo ppo ? ppo.klCoef() : 0;
        }

        private static void check(List<String> p, boolean ok, String name, Object value, String rule) {
            if (!ok) {
                p.add(name + "=" + value + " must be " + rule);
            }
        }
    }
}
