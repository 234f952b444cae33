package ai.redstar.core.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
    private static final float[] LOGITS = {1.5f, -0.3f, 0.7f, 2.1f, 0.0f, -1.2f, 1.1f, 0.4f};
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static NDArray repeated(float[] row, int rows) {
        float[] all = new float[row.length * rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row, 0, all, r * row.length, row.length);
        }
        return manager.create(all, new Shape(rows, row.length));
    }

    private static TokenSampler.Sampled sampleMany(float[] row, int rows, double t, int k, double p, long seed) {
        Random random = new Random(seed);
        double[] u = new double[rows];
        for (int i = 0; i < rows; i++) {
            u[i] = random.nextDouble();
        }
        double[] temperature = new double[rows];
        int[] topK = new int[rows];
        double[] topP = new double[rows];
        Arrays.fill(temperature, t);
        Arrays.fill(topK, k);
        Arrays.fill(topP, p);
        return TokenSampler.sample(repeated(row, rows), temperature, topK, topP, u);
    }

    /** Softmax of {@code logits / t} restricted to the top {@code k} (0 = all) and nucleus {@code p}, renormalised. */
    private static double[] expected(float[] logits, double t, int k, double p) {
        int v = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / t);
        }
        double[] probs = new double[v];
        double z = 0;
        for (int i = 0; i < v; i++) {
            probs[i] = Math.exp(logits[i] / t - max);
            z += probs[i];
        }
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            probs[i] /= z;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        double[] kept = new double[v];
        double before = 0;
        double mass = 0;
        for (int r = 0; r < v; r++) {
            int i = order[r];
            if ((k == 0 || r < k) && before < p) {
                kept[i] = probs[i];
                mass += probs[i];
            }
            before += probs[i];
        }
        for (int i = 0; i < v; i++) {
            kept[i] /= mass;
        }
        return kept;
    }

    private static void assertFrequenciesMatch(TokenSampler.Sampled s, double[] expected) {
        int n = s.tokens().length;
        int[] counts = new int[expected.length];
        for (int tok : s.tokens()) {
            counts[tok]++;
        }
        double chi2 = 0;
        int dof = -1;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == 0) {
                assertEquals(0, counts[i], "token " + i + " is outside the truncated distribution but was sampled");
                continue;
            }
            double e = n * expected[i];
            chi2 += (counts[i] - e) * (counts[i] - e) / e;
            dof++;
        }
        // 99.99% quantile of chi-square is below 3 * dof + 20 for dof <= 10.
        assertTrue(chi2 < 3 * dof + 20, "chi-square " + chi2 + " with " + dof + " dof; counts "
                + Arrays.toString(counts) + " expected " + Arrays.toString(expected));
    }

    @Test
    void sample_fullDistribution_frequenciesMatchSoftmax() {
        assertFrequenciesMatch(sampleMany(LOGITS, 20_000, 1.0, 0, 1.0, 1), expected(LOGITS, 1.0, 0, 1.0));
    }

    @Test
    void sample_temperature_frequenciesMatchScaledSoftmax() {
        assertFrequenciesMatch(sampleMany(LOGITS, 20_000, 0.6, 0, 1.0, 2), expected(LOGITS, 0.6, 0, 1.0));
    }

    @Test
    void sample_topK_frequenciesMatchTruncatedSoftmax() {
        assertFrequenciesMatch(sampleMany(LOGITS, 20_000, 1.0, 3, 1.0, 3), expected(LOGITS, 1.0, 3, 1.0));
    }

    @Test
    void sample_topP_frequenciesMatchNucleus() {
        assertFrequenciesMatch(sampleMany(LOGITS, 20_000, 0.8, 0, 0.7, 4), expected(LOGITS, 0.8, 0, 0.7));
    }

    @Test
    void sample_topKAndTopP_frequenciesMatchBoth() {
        assertFrequenciesMatch(sampleMany(LOGITS, 20_000, 1.3, 5, 0.9, 5), expected(LOGITS, 1.3, 5, 0.9));
    }

    @Test
    void sample_topK1_equalsGreedy() {
        TokenSampler.Sampled s = sampleMany(LOGITS, 50, 1.0, 1, 1.0, 6);
        for (int tok : s.tokens()) {
            assertEquals(3, tok);
        }
        for (float t : s.truncatedLogProbs()) {
            assertEquals(0f, t, 1e-6f);
        }
    }

    @Test
    void sample_tinyTopP_equalsGreedy() {
        TokenSampler.Sampled s = sampleMany(LOGITS, 50, 1.0, 0, 1e-6, 7);
        for (int tok : s.tokens()) {
            assertEquals(3, tok);
        }
    }

    @Test
    void sample_greedyTie_takesLowestId() {
        float[] tie = {0f, 2f, 1f, 2f, 2f};
        TokenSampler.Sampled s = TokenSampler.sample(repeated(tie, 1), new double[] {0}, new int[] {0},
                new double[] {1}, new double[] {0.99});
        assertEquals(1, s.tokens()[0]);
    }

    @Test
    void sample_logProbs_areFullTemperatureScaledAndTruncated() {
        double t = 0.7;
        TokenSampler.Sampled s = sampleMany(LOGITS, 200, t, 4, 0.8, 8);
        double[] full = expected(LOGITS, t, 0, 1.0);
        double[] truncated = expected(LOGITS, t, 4, 0.8);
        for (int i = 0; i < 200; i++) {
            int tok = s.tokens()[i];
            assertEquals(Math.log(full[tok]), s.logProbs()[i], 1e-5);
            assertEquals(Math.log(truncated[tok]), s.truncatedLogProbs()[i], 1e-5);
        }
    }

    @Test
    void sample_mixedRows_eachRowFollowsItsOwnParameters() {
        // Row 0 greedy, row 1 top-k 1 at a high temperature, row 2 untruncated, row 3 top-p tiny at T = 2.
        NDArray logits = repeated(LOGITS, 4);
        TokenSampler.Sampled s = TokenSampler.sample(logits, new double[] {0, 5.0, 1.0, 2.0}, new int[] {0, 1, 0, 0},
                new double[] {1, 1, 1, 1e-9}, new double[] {0.5, 0.999, 0.0, 0.999});
        assertEquals(3, s.tokens()[0]);
        assertEquals(3, s.tokens()[1]);
        assertEquals(0, s.tokens()[2], "u = 0 picks the first token of nonzero probability in id order");
        assertEquals(3, s.tokens()[3]);
        double[] greedyLp = expected(LOGITS, 1.0, 0, 1.0);
        assertEquals(Math.log(greedyLp[3]), s.logProbs()[0], 1e-5, "greedy log-prob is taken at T = 1");
        assertEquals(0f, s.truncatedLogProbs()[0]);
        assertEquals(Math.log(expected(LOGITS, 5.0, 0, 1.0)[3]), s.logProbs()[1], 1e-5);
    }

    @Test
    void sample_uniformNearOne_staysInsideTheVocabulary() {
        TokenSampler.Sampled s = sampleMany(LOGITS, 1, 1.0, 0, 1.0, 9);
        TokenSampler.Sampled edge = TokenSampler.sample(repeated(LOGITS, 2), new double[] {1, 1}, new int[] {0, 2},
                new double[] {1, 1}, new double[] {Math.nextDown(1.0), Math.nextDown(1.0)});
        assertTrue(s.tokens()[0] >= 0 && s.tokens()[0] < LOGITS.length);
        assertEquals(7, edge.tokens()[0], "the last token in id order");
        assertEquals(0, edge.tokens()[1], "the second most likely token");
    }

    @Test
    void sample_largeVocabulary_singleReadBackKeepsIdsExact() {
        int v = 151_936;
        float[] row = new float[v];
        row[v - 1] = 50f;
        TokenSampler.Sampled s = TokenSampler.sample(repeated(row, 2), new double[] {0, 1}, new int[] {0, 0},
                new double[] {1, 1}, new double[] {0.3, 0.3});
        assertArrayEquals(new int[] {v - 1, v - 1}, s.tokens());
    }

    /** Token ids in decreasing order of logit. */
    private static int[] descending(float[] logits) {
        return IntStream.range(0, logits.length).boxed()
                .sorted((a, b) -> Float.compare(logits[b], logits[a])).mapToInt(Integer::intValue).toArray();
    }

    /** Rank (in decreasing probability) of the reference inverse-CDF draw over the truncated distribution. */
    private static int referenceRank(float[] logits, int[] order, double p, double u) {
        double[] kept = expected(logits, 1, 0, p);
        double cum = 0;
        for (int r = 0; r < order.length; r++) {
            cum += kept[order[r]];
            if (cum > u) {
                return r;
            }
        }
        return 0;
    }

    private static int rankOf(int[] order, int token) {
        for (int r = 0; r < order.length; r++) {
            if (order[r] == token) {
                return r;
            }
        }
        throw new AssertionError("token " + token + " is not in the vocabulary");
    }

    @Test
    void sample_nucleusOverLargeVocabulary_matchesReferenceWhateverThePrefixSorted() {
        int v = 40_000;
        Random random = new Random(11);
        // Peaked (the top 256 hold 0.9), wider (the top 4096 do) and flat (needs the whole vocabulary) rows.
        double[] spread = {6.0, 3.0, 0.05};
        float[] all = new float[spread.length * v];
        float[][] rows = new float[spread.length][];
        int[][] orders = new int[spread.length][];
        for (int r = 0; r < spread.length; r++) {
            for (int i = 0; i < v; i++) {
                all[r * v + i] = (float) (random.nextGaussian() * spread[r]);
            }
            rows[r] = Arrays.copyOfRange(all, r * v, (r + 1) * v);
            orders[r] = descending(rows[r]);
        }
        for (int trial = 0; trial < 10; trial++) {
            double[] u = {random.nextDouble(), random.nextDouble(), random.nextDouble()};
            TokenSampler.Sampled together = TokenSampler.sample(manager.create(all, new Shape(spread.length, v)),
                    new double[] {1, 1, 1}, new int[] {0, 0, 0}, new double[] {0.9, 0.9, 0.9}, u);
            for (int r = 0; r < spread.length; r++) {
                TokenSampler.Sampled alone = TokenSampler.sample(manager.create(rows[r], new Shape(1, v)),
                        new double[] {1}, new int[] {0}, new double[] {0.9}, new double[] {u[r]});
                assertEquals(alone.tokens()[0], together.tokens()[r], "row " + r + " alone and batched");
                int expectedRank = referenceRank(rows[r], orders[r], 0.9, u[r]);
                int rank = rankOf(orders[r], alone.tokens()[0]);
                // fp32 probabilities of the flat row are 2.5e-5 apart from neighbours by ~1e-11: a draw may land
                // one rank off the double-precision reference; the peaked rows must match exactly.
                int tolerance = r == 2 ? 2 : 0;
                assertTrue(Math.abs(rank - expectedRank) <= tolerance,
                        "row " + r + " trial " + trial + ": rank " + rank + ", reference rank " + expectedRank);
            }
        }
    }
}
