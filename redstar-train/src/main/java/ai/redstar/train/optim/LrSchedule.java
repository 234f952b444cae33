package ai.redstar.train.optim;

import java.util.Locale;

/**
 * A learning rate schedule: linear warmup from 0 to the peak, then cosine decay from the peak to a floor.
 *
 * <p>Updates are numbered from 1. For update {@code u} with {@code w = warmupSteps} and {@code T = totalSteps}:
 * <pre>
 *   u ≤ w:        lr = peak · u / w
 *   w < u ≤ T:    lr = floor + (peak − floor) · ½ · (1 + cos(π · (u − w) / (T − w)))
 *   u > T:        lr = floor
 * </pre>
 * so the first update already moves (unlike {@code transformers}' {@code get_cosine_schedule_with_warmup}, whose first
 * update uses 0) and the last one of the budget uses exactly the floor. With {@code floor = 0} this is the cosine
 * schedule of Loshchilov and Hutter, "SGDR" (arXiv 1608.03983), after a linear warmup (Goyal et al., arXiv 1706.02677).
 *
 * <p>Immutable and thread-safe.
 *
 * @param peak the learning rate after warmup, {@code > 0}
 * @param floor the learning rate at the end, {@code 0 ≤ floor ≤ peak}
 * @param warmupSteps updates of linear warmup, {@code 0 ≤ warmupSteps ≤ totalSteps}
 * @param totalSteps the number of updates of the run, {@code ≥ 1}
 */
public record LrSchedule(double peak, double floor, long warmupSteps, long totalSteps) {
    public LrSchedule {
        if (!(peak > 0) || !Double.isFinite(peak)) {
            throw new IllegalArgumentException("peak learning rate must be positive and finite, got " + peak);
        }
        if (!(floor >= 0) || floor > peak) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "floor learning rate must be in [0, peak = %s], got %s", peak, floor));
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("totalSteps must be at least 1, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "warmupSteps must be in [0, totalSteps = %d], got %d", totalSteps, warmupSteps));
        }
    }

    /**
     * The learning rate of update {@code step}.
     *
     * @param step the 1-based update number
     * @throws IllegalArgumentException when {@code step < 1}
     */
    public double learningRate(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("updates are numbered from 1, got " + step);
        }
        if (step <= warmupSteps) {
            return peak * step / warmupSteps;
        }
        if (step >= totalSteps) {
            return floor;
        }
        double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
