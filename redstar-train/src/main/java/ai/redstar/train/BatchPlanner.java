package ai.redstar.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decides which records train together, from token lengths alone, deterministically from the seed: which records are
 * kept (truncation policy), their order in each epoch, how they are packed or padded into micro-batches, and how
 * micro-batches form optimiser steps. Because a plan is a pure function of (lengths, settings, seed, epoch), the data
 * cursor of a checkpoint is just (epoch, step in epoch): no packer state needs saving.
 *
 * <p>Per epoch: the kept records are shuffled (Fisher–Yates with a generator seeded from the seed and the epoch), cut
 * into windows of {@link #WINDOW} records, and each window becomes rows: under {@link Batching#PACKED} by first-fit
 * decreasing into rows of {@code maxLength} tokens, the rows shuffled, then grouped {@code batchTokens / maxLength}
 * rows per micro-batch (across window boundaries); under {@link Batching#PADDED} sorted by length, cut greedily into
 * micro-batches whose {@code rows × longest row} fits the token budget, which are then shuffled. An optimiser step
 * takes {@code gradientAccumulation} consecutive micro-batches; the last step of an epoch may take fewer.
 *
 * <p>Memory: 4 bytes per record for the kept list, and per planned epoch about 8 more. Not thread-safe.
 */
final class BatchPlanner {
    /** Records packed or length-grouped together. */
    static final int WINDOW = 1024;

    private final SftData data;
    private final int maxLength;
    private final Batching batching;
    private final int batchTokens;
    private final int accumulation;
    private final long seed;
    private final int[] kept;
    private final long truncated;
    private final long droppedTooLong;
    private final long droppedWithoutTargets;
    private int cachedEpoch = -1;
    private List<MicroBatch> cachedPlan;

    BatchPlanner(SftData data, int maxLength, TruncationPolicy truncation, Batching batching, int batchTokens,
            int accumulation, long seed) {
        this.data = data;
        this.maxLength = maxLength;
        this.batching = batching;
        this.batchTokens = batchTokens;
        this.accumulation = accumulation;
        this.seed = seed;
        int[] keep = new int[data.size()];
        int n = 0;
        long cut = 0;
        long tooLong = 0;
        long noTargets = 0;
        for (int i = 0; i < data.size(); i++) {
            int length = data.length(i);
            // A record with images is never cut (a cut could split an image's token run or lose an image): under
            // either policy a longer one is left out.
            if (length > maxLength && (truncation == TruncationPolicy.DROP || data.imageCount(i) > 0)) {
                tooLong++;
                continue;
            }
            if (data.firstTarget(i) >= Math.min(length, maxLength)) {
                noTargets++;
                continue;
            }
            if (length > maxLength) {
                cut++;
            }
            keep[n++] = i;
        }
        this.kept = Arrays.copyOf(keep, n);
        this.truncated = cut;
        this.droppedTooLong = tooLong;
        this.droppedWithoutTargets = noTargets;
    }

    /** Records that train (after the truncation policy and without those with no target left). */
    int keptRecords() {
        return kept.length;
    }

    /** Kept records longer than the maximum length, cut to it (under {@link TruncationPolicy#TRUNCATE}). */
    long truncated() {
        return truncated;
    }

    /**
     * Records longer than the maximum length, left out (under {@link TruncationPolicy#DROP}, and records with images
     * under either policy).
     */
    long droppedTooLong() {
        return droppedTooLong;
    }

    /** Records left out because no learned token remains (within the maximum length, after the first token). */
    long droppedWithoutTargets() {
        return droppedWithoutTargets;
    }

    /** The tokens a record contributes: its length cut to the maximum. */
    int keptLength(int record) {
        return Math.min(data.length(record), maxLength);
    }

    /** Optimiser steps in an epoch. */
    int stepsInEpoch(int epoch) {
        int microBatches = epoch(epoch).size();
        return (microBatches + accumulation - 1) / accumulation;
    }

    /** The micro-batches of step {@code step} (0-based) of an epoch. */
    List<MicroBatch> step(int epoch, int step) {
        List<MicroBatch> plan = epoch(epoch);
        int from = step * accumulation;
        if (step < 0 || from >= plan.size()) {
            throw new IllegalArgumentException("epoch " + epoch + " has " + stepsInEpoch(epoch) + " steps, asked for "
                    + step);
        }
        return plan.subList(from, Math.min(from + accumulation, plan.size()));
    }

    /** The micro-batches of an epoch (the last epoch's plan is cached). */
    List<MicroBatch> epoch(int epoch) {
        if (epoch != cachedEpoch) {
            cachedPlan = plan(epoch);
            cachedEpoch = epoch;
        }
        return cachedPlan;
    }

    private List<MicroBatch> plan(int epoch) {
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
        int[] order = kept.clone();
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<MicroBatch> batches = new ArrayList<>();
        List<int[]> rows = new ArrayList<>();
        for (int from = 0; from < order.length; from += WINDOW) {
            int[] window = Arrays.copyOfRange(order, from, Math.min(order.length, from + WINDOW));
            int[] byLength = longestFirst(window);
            if (batching == Batching.PACKED) {
                List<int[]> packed = firstFitDecreasing(byLength);
                shuffle(packed, random);
                rows.addAll(packed);
            } else {
                List<MicroBatch> grouped = lengthGrouped(byLength);
                shuffle(grouped, random);
                batches.addAll(grouped);
            }
        }
        if (batching == Batching.PACKED) {
            int perBatch = batchTokens / maxLength;
            for (int from = 0; from < rows.size(); from += perBatch) {
                batches.add(microBatch(rows.subList(from, Math.min(rows.size(), from + perBatch))));
            }
        }
        return batches;
    }

    /** The window's records by decreasing kept length; equal lengths keep their shuffled order. */
    private int[] longestFirst(int[] window) {
        Integer[] positions = new Integer[window.length];
        for (int i = 0; i < window.length; i++) {
            positions[i] = i;
        }
        Arrays.sort(positions, (a, b) -> {
            int byLength = Integer.compare(keptLength(window[b]), keptLength(window[a]));
            return byLength != 0 ? byLength : Integer.compare(a, b);
        });
        int[] sorted = new int[window.length];
        for (int i = 0; i < window.length; i++) {
            sorted[i] = window[positions[i]];
        }
        return sorted;
    }

    /** Rows of at most {@code maxLength} tokens: each record goes to the first row with room. */
    private List<int[]> firstFitDecreasing(int[] byLength) {
        List<int[]> rows = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int[] room = new int[byLength.length];
        int[][] members = new int[byLength.length][];
        int count = 0;
        for (int record : byLength) {
            int length = keptLength(record);
            int row = 0;
            while (row < count && room[row] < length) {
                row++;
            }
            if (row == count) {
                room[count] = maxLength;
                members[count] = new int[4];
                sizes.add(0);
                count++;
            }
            int size = sizes.get(row);
            if (size == members[row].length) {
                members[row] = Arrays.copyOf(members[row], size * 2);
            }
            members[row][size] = record;
            sizes.set(row, size + 1);
            room[row] -= length;
        }
        for (int r = 0; r < count; r++) {
            rows.add(Arrays.copyOf(members[r], sizes.get(r)));
        }
        return rows;
    }

    /** Micro-batches of one record per row, as many rows as fit the token budget at the longest row's width. */
    private List<MicroBatch> lengthGrouped(int[] byLength) {
        List<MicroBatch> batches = new ArrayList<>();
        int i = 0;
        while (i < byLength.length) {
            int width = keptLength(byLength[i]);
            int count = Math.max(1, Math.min(byLength.length - i, batchTokens / width));
            List<int[]> rows = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                rows.add(new int[] {byLength[i + k]});
            }
            batches.add(microBatch(rows));
            i += count;
        }
        return batches;
    }

    private MicroBatch microBatch(List<int[]> rows) {
        int tokens = 0;
        int width = 0;
        for (int[] row : rows) {
            int length = 0;
            for (int record : row) {
                length += keptLength(record);
            }
            tokens += length;
            width = Math.max(width, length);
        }
        return new MicroBatch(rows.toArray(new int[0][]), tokens, width);
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
