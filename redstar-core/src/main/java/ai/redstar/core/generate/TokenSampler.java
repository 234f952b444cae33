package ai.redstar.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Picks one next token per batch row from next-token logits, with per-row temperature, top-k and top-p, by inverse
 * transform sampling with uniforms drawn by the caller (DJL has no multinomial).
 *
 * <p>Per row: {@code logp = log_softmax(logits / T)} (T = 1 for greedy rows); greedy rows take the argmax of the raw
 * logits (ties to the lowest id). Other rows restrict {@code p = exp(logp)} to the {@code k} largest, then to the
 * shortest descending prefix whose mass reaches {@code topP} (the crossing token kept), and return the first token
 * whose cumulative kept mass exceeds {@code u * keptMass}, in decreasing-probability order. Only a prefix of that
 * order is sorted: the largest top-k of the batch, or for nucleus rows the first {@value #FIRST_CANDIDATES} (then
 * {@value #SECOND_CANDIDATES}) tokens when their mass reaches top-p, else the whole vocabulary. A row without truncation
 * runs the cumulative sum over the vocabulary in id order (no sort). Which order a row uses depends only on its own
 * parameters, so its token does not depend on its batch-mates. Cumulative sums are in fp64 so that large
 * vocabularies do not bias the draw.
 *
 * <p>Stateless; every tensor it makes is attached to the logits' manager, so callers run it inside an
 * {@link ai.djl.ndarray.NDScope}. Thread-safe.
 */
final class TokenSampler {
    /** Everything sampled for a batch: parallel arrays, one entry per row. */
    record Sampled(int[] tokens, float[] logProbs, float[] truncatedLogProbs) {}

    /** Candidates sorted first for nucleus rows, then on a second try, before sorting the whole vocabulary. */
    static final int FIRST_CANDIDATES = 256;
    static final int SECOND_CANDIDATES = 4096;

    private TokenSampler() {}

    /**
     * Samples one token per row.
     *
     * @param logits next-token logits {@code [batch, vocab]}, fp32
     * @param temperature per row; 0 = greedy
     * @param topK per row; 0 = the whole vocabulary
     * @param topP per row, in (0, 1]
     * @param uniforms per row, in [0, 1); ignored for greedy rows
     */
    static Sampled sample(NDArray logits, double[] temperature, int[] topK, double[] topP, double[] uniforms) {
        Shape shape = logits.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("logits must be [batch, vocab], got " + shape);
        }
        int b = Math.toIntExact(shape.get(0));
        long vocab = shape.get(1);
        if (temperature.length != b || topK.length != b || topP.length != b || uniforms.length != b) {
            throw new IllegalArgumentException("per-row parameters must have " + b + " entries");
        }
        NDManager m = logits.getManager();
        boolean anyGreedy = false;
        boolean anySampled = false;
        boolean sameTemperature = true;
        double firstT = Double.NaN;
        boolean anyTopP = false;
        boolean anyPlain = false;
        boolean anyTruncated = false;
        boolean[] truncatedRow = new boolean[b];
        int maxTopK = 0;
        boolean[] greedy = new boolean[b];
        float[] rowT = new float[b];
        long[] rowK = new long[b];
        double[] rowP = new double[b];
        for (int i = 0; i < b; i++) {
            greedy[i] = temperature[i] == 0;
            anyGreedy |= greedy[i];
            anySampled |= !greedy[i];
            rowT[i] = greedy[i] ? 1f : (float) temperature[i];
            if (Double.isNaN(firstT)) {
                firstT = rowT[i];
            } else if (rowT[i] != firstT) {
                sameTemperature = false;
            }
            // Greedy rows keep one token so that they never force a full sort.
            rowK[i] = greedy[i] ? 1 : topK[i] > 0 ? Math.min(topK[i], vocab) : vocab;
            rowP[i] = greedy[i] || topP[i] >= 1 ? 2.0 : topP[i]; // 2 keeps every token despite rounding
            truncatedRow[i] = !greedy[i] && (rowK[i] < vocab || topP[i] < 1);
            anyTruncated |= truncatedRow[i];
            anyPlain |= !greedy[i] && !truncatedRow[i];
            anyTopP |= truncatedRow[i] && topP[i] < 1;
            if (truncatedRow[i] && rowK[i] < vocab) {
                maxTopK = (int) Math.max(maxTopK, rowK[i]);
            }
        }
        NDArray tokens;
        NDArray logp;
        NDArray truncated;
        if (!anySampled) {
            tokens = logits.argMax(1);
            logp = logits.logSoftmax(1).gather(tokens.expandDims(1), 1).squeeze(1);
            truncated = logp.zerosLike();
        } else {
            NDArray scaled;
            if (sameTemperature) {
                scaled = firstT == 1f ? logits : logits.div(firstT);
            } else {
                scaled = logits.div(m.create(rowT, new Shape(b, 1)));
            }
            NDArray lsm = scaled.logSoftmax(1);
            NDArray probs = lsm.exp();
            NDArray u = m.create(uniforms, new Shape(b, 1));
            // A row's draw must not depend on its batch-mates: rows without truncation always use the id-order
            // CDF, rows with truncation always the sorted one, whatever the other rows need.
            NDArray plain = null;
            if (anyPlain) {
                NDArray cdf = probs.toType(DataType.FLOAT64, false).cumSum(1);
                NDArray total = cdf.get(":, -1:");
                plain = countBelow(cdf, u.mul(total)).squeeze(1).minimum(vocab - 1);
            }
            NDArray sorted = null;
            NDArray logMass = null;
            if (anyTruncated) {
                // Sort only as many candidates as the rows can keep: the largest top-k, or, for nucleus rows,
                // a prefix whose mass reaches top-p (checked with one read-back, widened if it falls short).
                // The sorted prefix is the same however long it is, so the draw does not depend on this choice.
                int k = -1;
                NDArray sortedIdx = null;
                NDArray sp = null;
                NDArray cum = null;
                for (long wanted : new long[] {Math.max(maxTopK, FIRST_CANDIDATES),
                        Math.max(maxTopK, SECOND_CANDIDATES)}) {
                    if (k > 0 || wanted * 8 > vocab) {
                        break; // a partial sort of more than an eighth of the vocabulary saves little
                    }
                    int candidates = (int) wanted;
                    NDList top = probs.topK(candidates, 1, true, true);
                    NDArray candidateP = top.get(0).toType(DataType.FLOAT64, false);
                    NDArray candidateCum = candidateP.cumSum(1);
                    if (covers(candidateCum, candidates, rowK, rowP, truncatedRow)) {
                        k = candidates;
                        sortedIdx = top.get(1);
                        sp = candidateP;
                        cum = candidateCum;
                    }
                }
                if (k < 0) {
                    k = Math.toIntExact(vocab);
                    sortedIdx = probs.argSort(1, false);
                    sp = probs.gather(sortedIdx, 1).toType(DataType.FLOAT64, false);
                    cum = sp.cumSum(1);
                }
                NDArray keep = null;
                boolean anyRowBelowK = false;
                for (long rk : rowK) {
                    anyRowBelowK |= rk < k;
                }
                if (anyRowBelowK) {
                    NDArray rank = m.arange(0, k, 1, DataType.INT64).reshape(1, k);
                    keep = rank.lt(m.create(rowK, new Shape(b, 1)));
                }
                if (anyTopP) {
                    NDArray before = cum.sub(sp);
                    NDArray keepP = before.lt(m.create(rowP, new Shape(b, 1)));
                    keep = keep == null ? keepP : keep.logicalAnd(keepP);
                }
                NDArray kept = keep == null ? sp : sp.mul(keep.toType(DataType.FLOAT64, false));
                NDArray cdf = kept.cumSum(1);
                NDArray mass = cdf.get(":, -1:");
                NDArray pos = countBelow(cdf, u.mul(mass)).minimum(k - 1);
                sorted = sortedIdx.gather(pos, 1).squeeze(1);
                logMass = mass.squeeze(1).log().toType(DataType.FLOAT32, false);
            }
            NDArray sampled;
            if (plain == null) {
                sampled = sorted;
            } else if (sorted == null) {
                sampled = plain;
            } else {
                NDArray truncatedRows = m.create(truncatedRow);
                sampled = NDArrays.where(truncatedRows, sorted, plain);
                logMass = NDArrays.where(truncatedRows, logMass, logMass.zerosLike());
            }
            NDArray greedyMask = null;
            if (anyGreedy) {
                greedyMask = m.create(greedy);
                tokens = NDArrays.where(greedyMask, logits.argMax(1), sampled);
            } else {
                tokens = sampled;
            }
            logp = lsm.gather(tokens.expandDims(1), 1).squeeze(1);
            truncated = logMass == null ? logp : logp.sub(logMass);
            if (greedyMask != null) {
                truncated = NDArrays.where(greedyMask, truncated.zerosLike(), truncated);
            }
        }
        // One read-back per step: token ids (exact in fp64) and both log-probabilities.
        double[] packed = NDArrays.stack(new NDList(
                        tokens.toType(DataType.FLOAT64, false),
                        logp.toType(DataType.FLOAT64, false),
                        truncated.toType(DataType.FLOAT64, false)))
                .toDoubleArray();
        int[] ids = new int[b];
        float[] lp = new float[b];
        float[] tlp = new float[b];
        for (int i = 0; i < b; i++) {
            ids[i] = (int) packed[i];
            lp[i] = (float) packed[b + i];
            tlp[i] = (float) packed[2 * b + i];
        }
        return new Sampled(ids, lp, tlp);
    }

    /**
     * Whether the {@code candidates} most likely tokens hold every token each truncated row may keep: its top-k
     * fits, or the candidates' mass reaches its top-p.
     */
    private static boolean covers(NDArray candidateCum, int candidates, long[] rowK, double[] rowP,
            boolean[] truncatedRow) {
        int b = rowK.length;
        boolean[] byK = new boolean[b];
        boolean all = true;
        for (int i = 0; i < b; i++) {
            byK[i] = !truncatedRow[i] || rowK[i] <= candidates;
            all &= byK[i];
        }
        if (all) {
            return true;
        }
        NDManager m = candidateCum.getManager();
        NDArray byP = candidateCum.get(":, -1").gte(m.create(rowP));
        return byP.logicalOr(m.create(byK)).all().getBoolean();
    }

    /** Per row, how many entries of the non-decreasing {@code cdf} lie below {@code threshold}: {@code [b, 1]}. */
    private static NDArray countBelow(NDArray cdf, NDArray threshold) {
        return cdf.lt(threshold).toType(DataType.INT64, false).sum(new int[] {1}, true);
    }
}
