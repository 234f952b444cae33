package ai.redstar.data.difficulty;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which scored problems to keep.
 *
 * <ul>
 *   <li>{@link All}: every scored problem.</li>
 *   <li>{@link Threshold}: difficulty in {@code [min, max]}; decided one problem at a time (streaming).</li>
 *   <li>{@link TargetMix}: {@code total} problems split over buckets by {@code shares}, drawn at random (seeded)
 *       within each bucket; needs every difficulty first (see {@link MixSelector}).</li>
 * </ul>
 */
public sealed interface Selection permits Selection.All, Selection.Threshold, Selection.TargetMix {

    /** Every scored problem. */
    record All() implements Selection {
    }

    /** Problems with {@code min <= difficulty <= max}. */
    record Threshold(double min, double max) implements Selection {
        public Threshold {
            if (!(min >= 0 && max <= 1 && min <= max)) {
                throw new IllegalArgumentException("a difficulty threshold needs 0 <= min <= max <= 1, got [" + min
                        + ", " + max + "]");
            }
        }

        public boolean accepts(Difficulty d) {
            return d.value() >= min && d.value() <= max;
        }
    }

    /**
     * {@code total} problems, bucket {@code b} receiving {@code round(shares[b] * total)} of them (largest
     * remainders, so the quotas add up to {@code total}), or all it has when it has fewer (the shortfall is not made
     * up from other buckets: the mix is kept and the total shrinks). Within a bucket the problems with the smallest
     * seeded hash of their id are kept, so reruns and reorderings of the input select alike.
     *
     * @param shares bucket → share; shares are > 0 and sum to 1 (within 1e-6); buckets not named get none
     */
    record TargetMix(Map<Integer, Double> shares, int total, long seed) implements Selection {
        public TargetMix {
            Objects.requireNonNull(shares, "shares");
            if (shares.isEmpty()) {
                throw new IllegalArgumentException("a target mix needs at least one bucket share");
            }
            double sum = 0;
            for (Map.Entry<Integer, Double> e : shares.entrySet()) {
                if (e.getKey() < 0 || !(e.getValue() > 0)) {
                    throw new IllegalArgumentException("bucket " + e.getKey() + " has share " + e.getValue()
                            + "; buckets are >= 0 and shares > 0");
                }
                sum += e.getValue();
            }
            if (Math.abs(sum - 1) > 1e-6) {
                throw new IllegalArgumentException("target mix shares sum to " + sum + "; they must sum to 1");
            }
            if (total < 1) {
                throw new IllegalArgumentException("target mix total must be >= 1, got " + total);
            }
            shares = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(shares));
        }

        /** The quota of each named bucket before capping by what is available (largest remainders). */
        public Map<Integer, Integer> quotas() {
            List<Integer> buckets = new ArrayList<>(shares.keySet());
            buckets.sort(null);
            Map<Integer, Integer> quota = new LinkedHashMap<>();
            int assigned = 0;
            double[] remainders = new double[buckets.size()];
            for (int i = 0; i < buckets.size(); i++) {
                double exact = shares.get(buckets.get(i)) * total;
                int floor = (int) Math.floor(exact);
                quota.put(buckets.get(i), floor);
                remainders[i] = exact - floor;
                assigned += floor;
            }
            while (assigned < total) {
                int best = 0;
                for (int i = 1; i < remainders.length; i++) {
                    if (remainders[i] > remainders[best]) {
                        best = i;
                    }
                }
                quota.merge(buckets.get(best), 1, Integer::sum);
                remainders[best] = -1;
                assigned++;
            }
            return quota;
        }
    }
}
