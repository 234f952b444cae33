package ai.redstar.rl.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.redstar.core.generate.Completion;
import ai.redstar.core.generate.FinishReason;
import ai.redstar.core.generate.GenerationRequest;
import ai.redstar.core.generate.GenerationResult;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.model.CausalLm;
import ai.redstar.rl.reward.Reward;
import ai.redstar.rl.reward.RewardFunction;
import ai.redstar.rl.reward.Rollout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One step's rollouts: samples {@code n} responses per prompt, scores them and lays them out for training.
 *
 * <p>Layout. Row {@code i} holds prompt then response (EOS included when sampled), right-padded with id 0,
 * segment 0 and position 0; real tokens have segment 1 and positions {@code 0..len-1}. The samples of one prompt are
 * contiguous (row {@code p·n + k}), as {@code GroupAdvantages} expects. The response of row {@code i} starts at
 * {@link Batch#responseStart()} and has {@link Batch#responseLength()} tokens, so masks are made by position and a
 * pad id equal to EOS is harmless.
 *
 * <p>Old log-probs are <em>recomputed</em> by the policy in one fp32 forward pass over this layout (no gradient), not
 * taken from the generator: the generator's values come from KV-cached, left-padded decoding in other batch shapes,
 * and their small numeric differences would make the importance ratio of the first update differ from 1 and show up
 * as spurious clipping. With the recomputation the first minibatch's ratio is exactly 1 and the clip fraction
 * measures only how far the policy moved. Reference log-probs come from the frozen reference model the same way.
 *
 * <p>Stateless and thread-safe as far as the models' forward passes are; the returned batch holds only Java arrays.
 */
public final class Rollouts {
    private Rollouts() {
    }

    /**
     * Everything one step trains on, as Java arrays (no tensor ownership): {@code [rows][width]} ids, positions and
     * segments; per row the response start and length, the reward and its reason, whether it was truncated; per row
     * the fp32 log-probs of its response tokens (length {@code responseLength[i]}) under the policy at sampling time
     * and under the reference ({@code null} without a reference); the mean entropy in nats of the sampling policy
     * (at the sampling temperature) over all response tokens; the wall seconds spent generating, and scoring (rewards
     * plus the no-gradient old and reference log-prob passes).
     */
    public record Batch(long[][] ids, long[][] positions, long[][] segments, int[] responseStart,
            int[] responseLength, double[] rewards, String[] reasons, boolean[] truncated, float[][] oldLogProbs,
            float[][] refLogProbs, int samplesPerPrompt, double entropyMean, double generationSeconds,
            double scoringSeconds) {

        public int rows() {
            return ids.length;
        }

        /** ids, positions and segments of the given rows as int64 {@code [rows.length, width]} arrays in manager. */
        public NDArray[] tensors(int[] rows, NDManager manager) {
            int width = ids[0].length;
            long[] a = new long[rows.length * width];
            long[] p = new long[rows.length * width];
            long[] s = new long[rows.length * width];
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(ids[rows[r]], 0, a, r * width, width);
                System.arraycopy(positions[rows[r]], 0, p, r * width, width);
                System.arraycopy(segments[rows[r]], 0, s, r * width, width);
            }
            Shape shape = new Shape(rows.length, width);
            return new NDArray[] {manager.create(a, shape), manager.create(p, shape), manager.create(s, shape)};
        }

        /** The given rows' values of {@code perRow} padded to {@code [rows.length, max(1, longest response)]}. */
        public float[] padded(int[] rows, float[][] perRow) {
            int max = width(rows);
            float[] out = new float[rows.length * max];
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(perRow[rows[r]], 0, out, r * max, responseLength[rows[r]]);
            }
            return out;
        }

        /** max(1, longest response among rows): the width of {@link ResponseLogProbs} for those rows. */
        public int width(int[] rows) {
            int max = 1;
            for (int r : rows) {
                max = Math.max(max, responseLength[r]);
            }
            return max;
        }

        int[] starts(int[] rows) {
            int[] out = new int[rows.length];
            for (int r = 0; r < rows.length; r++) {
                out[r] = responseStart[rows[r]];
            }
            return out;
        }

        int[] lengths(int[] rows) {
            int[] out = new int[rows.length];
            for (int r = 0; r < rows.length; r++) {
                out[r] = responseLength[rows[r]];
            }
            return out;
        }

        /** Response start and length of the given rows, for {@link ResponseLogProbs#compute}. */
        public int[][] spans(int[] rows) {
            return new int[][] {starts(rows), lengths(rows)};
        }
    }

    /**
     * Samples, scores and lays out one step's rollouts.
     *
     * @param generator samples from the policy; must have a decoder (the reward reads the text)
     * @param prompts the step's prompts
     * @param params sampling parameters: temperature &gt; 0, samples per prompt, seed (vary it per step)
     * @param reward scores each response
     * @param policy the model the generator samples from, for the fp32 old log-probs
     * @param reference the frozen reference model, or null when the strategy has no KL term
     * @param forwardRows rows per no-gradient forward pass (memory bound)
     */
    public static Batch generate(Generator generator, List<Prompt> prompts, SamplingParams params,
            RewardFunction reward, CausalLm policy, CausalLm reference, int forwardRows) {
        Objects.requireNonNull(generator, "generator");
        Objects.requireNonNull(reward, "reward");
        Objects.requireNonNull(policy, "policy");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts is empty; a rollout step needs at least one prompt");
        }
        if (params.isGreedy()) {
            throw new IllegalArgumentException("params.temperature=0 (greedy): RL needs sampling with temperature > 0");
        }
        if (forwardRows < 1) {
            throw new IllegalArgumentException("forwardRows=" + forwardRows + " must be >= 1");
        }
        List<GenerationRequest> requests = new ArrayList<>();
        for (Prompt p : prompts) {
            requests.add(GenerationRequest.of(p.tokenIds(), params));
        }
        long generationStart = System.nanoTime();
        List<GenerationResult> results = generator.generate(requests);
        long scoringStart = System.nanoTime();
        int n = params.samplesPerPrompt();
        int rows = prompts.size() * n;
        int[][] tokens = new int[rows][];
        int[] start = new int[rows];
        int[] length = new int[rows];
        double[] rewards = new double[rows];
        String[] reasons = new String[rows];
        boolean[] truncated = new boolean[rows];
        int width = 2;
        for (int p = 0; p < prompts.size(); p++) {
            int[] prompt = prompts.get(p).tokenIds();
            List<Completion> completions = results.get(p).completions();
            for (int k = 0; k < n; k++) {
                int i = p * n + k;
                Completion c = completions.get(k);
                int[] response = c.tokenIds();
                int[] row = new int[prompt.length + response.length];
                System.arraycopy(prompt, 0, row, 0, prompt.length);
                System.arraycopy(response, 0, row, prompt.length, response.length);
                tokens[i] = row;
                start[i] = prompt.length;
                length[i] = response.length;
                truncated[i] = c.finishReason() == FinishReason.LENGTH;
                String text = c.text().orElseThrow(() -> new IllegalArgumentException(
                        "the generator has no decoder; build it with Generator.builder(model).decoder(...) so the "
                                + "reward function can read the response text"));
                Reward r = reward.score(new Rollout(text, prompts.get(p).gold(), response.length, truncated[i]));
                rewards[i] = r.value();
                reasons[i] = r.reason();
                width = Math.max(width, row.length);
            }
        }
        long[][] ids = new long[rows][width];
        long[][] positions = new long[rows][width];
        long[][] segments = new long[rows][width];
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < tokens[i].length; t++) {
                ids[i][t] = tokens[i][t];
                positions[i][t] = t;
                segments[i][t] = 1;
            }
        }
        Batch layout = new Batch(ids, positions, segments, start, length, rewards, reasons, truncated, null, null, n,
                0, 0, 0);
        double[] entropy = new double[2];
        float[][] old = logProbs(policy, layout, params.temperature(), forwardRows, entropy);
        float[][] ref = reference == null ? null
                : logProbs(reference, layout, params.temperature(), forwardRows, null);
        long end = System.nanoTime();
        return new Batch(ids, positions, segments, start, length, rewards, reasons, truncated, old, ref, n,
                entropy[1] == 0 ? 0 : entropy[0] / entropy[1], (scoringStart - generationStart) / 1e9,
                (end - scoringStart) / 1e9);
    }

    /**
     * Per-row fp32 response log-probs of {@code model} at {@code temperature}, without gradient; where
     * {@code entropy} is not null, adds the summed response-token entropy to entropy[0] and the token count to
     * entropy[1].
     */
    static float[][] logProbs(CausalLm model, Batch batch, double temperature, int forwardRows, double[] entropy) {
        float[][] out = new float[batch.rows()][];
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager manager = NDManager.newBaseManager(model.device())) {
            for (int from = 0; from < batch.rows(); from += forwardRows) {
                int[] rows = new int[Math.min(forwardRows, batch.rows() - from)];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = from + r;
                }
                try (NDScope scope = new NDScope()) {
                    NDArray[] t = batch.tensors(rows, manager);
                    NDArray logits = model.forward(t[0], t[1], t[2]);
                    int[][] spans = batch.spans(rows);
                    ResponseLogProbs.Result result = ResponseLogProbs.compute(logits, t[0], spans[0], spans[1],
                            temperature, entropy != null);
                    float[] lp = result.logProbs().toFloatArray();
                    if (entropy != null) {
                        entropy[0] += result.entropy().sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                                .getDouble();
                        for (int len : spans[1]) {
                            entropy[1] += len;
                        }
                    }
                    int w = batch.width(rows);
                    for (int r = 0; r < rows.length; r++) {
                        out[rows[r]] = new float[spans[1][r]];
                        System.arraycopy(lp, r * w, out[rows[r]], 0, spans[1][r]);
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return out;
    }
}
