package ai.redstar.train;

/**
 * Training produced a NaN or infinite loss or gradient norm. The update of that step was not applied; the last
 * checkpoint is intact. The message names the step, the value, the records of the step and what to try.
 */
public final class TrainingDivergedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final long step;
    private final double value;

    TrainingDivergedException(String message, long step, double value) {
        super(message);
        this.step = step;
        this.value = value;
    }

    /** The 1-based optimiser step that diverged. */
    public long step() {
        return step;
    }

    /** The non-finite value (loss or gradient norm). */
    public double value() {
        return value;
    }
}
