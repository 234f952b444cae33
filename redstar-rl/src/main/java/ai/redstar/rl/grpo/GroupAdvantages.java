package ai.redstar.rl.grpo;

import ai.redstar.rl.loss.Variance;

/**
 * Group-relative advantages: each sample's reward against the other samples of its prompt,
 * {@code (r − mean)/(std + ε)}, or {@code r − mean} (Dr. GRPO). Groups whose rewards are all equal carry no learning
 * signal; they are marked as filtered and counted. Stateless and thread-safe.
 */
public final class GroupAdvantages {
    private GroupAdvantages() {
    }

    /**
     * @param advantages one advantage per sample, in input order (0 for a filtered group)
     * @param kept whether the sample's group is kept (not zero-variance)
     * @param filteredGroups number of groups whose rewards were all equal
     * @param groups number of groups
     */
    public record Result(double[] advantages, boolean[] kept, int filteredGroups, int groups) {
        /** Share of groups filtered for zero variance, in [0, 1]. */
        public double filteredShare() {
            return groups == 0 ? 0 : (double) filteredGroups / groups;
        }
    }

    /**
     * @param rewards one reward per sample, the samples of one prompt contiguous
     * @param groupSize samples per prompt, &gt;= 1, dividing {@code rewards.length}
     * @param scaleByStd divide by std + epsilon (GRPO) or not (Dr. GRPO)
     * @param epsilon added to the standard deviation
     * @param variance variance estimator behind the standard deviation
     */
    public static Result compute(double[] rewards, int groupSize, boolean scaleByStd, double epsilon,
            Variance variance) {
        if (groupSize < 1 || rewards.length % groupSize != 0) {
            throw new IllegalArgumentException("groupSize=" + groupSize + " must be >= 1 and divide the number of "
                    + "rewards (" + rewards.length + "); the samples of one prompt must be contiguous");
        }
        int groups = rewards.length / groupSize;
        double[] adv = new double[rewards.length];
        boolean[] kept = new boolean[rewards.length];
        int filtered = 0;
        for (int g = 0; g < groups; g++) {
            double[] group = new double[groupSize];
            System.arraycopy(rewards, g * groupSize, group, 0, groupSize);
            boolean allEqual = true;
            double mean = 0;
            for (double r : group) {
                allEqual &= r == group[0];
                mean += r;
            }
            mean /= groupSize;
            if (allEqual) {
                filtered++;
                continue;
            }
            double scale = scaleByStd ? 1 / (Math.sqrt(variance.of(group)) + epsilon) : 1;
            for (int k = 0; k < groupSize; k++) {
                adv[g * groupSize + k] = (group[k] - mean) * scale;
                kept[g * groupSize + k] = true;
            }
        }
        return new Result(adv, kept, filtered, groups);
    }
}
