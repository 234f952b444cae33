package ai.redstar.verify.math;

/**
 * The time and size allowance of one grading call. Loops and recursion call {@link #tick()}; when the deadline
 * ({@link System#nanoTime()} based) has passed, or a structural limit is exceeded, an {@link Abort} unwinds the
 * call, which the front door turns into an undecided verdict. Not thread-safe: one budget per call.
 */
final class Budget {

    /** Why a call was abandoned. */
    enum Cause {
        TIMEOUT, TOO_DEEP, TOO_LARGE
    }

    /** Unwinds a grading call; carries no stack trace, so throwing it is cheap. */
    static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Cause cause;

        Abort(Cause cause, String message) {
            super(message, null, false, false);
            this.cause = cause;
        }
    }

    /** Deepest recursion of the parser's rules (a bracket costs about three). */
    static final int MAX_DEPTH = 240;
    /** Deepest expression tree accepted: every later step recurses at most this deep. */
    static final int MAX_TREE_DEPTH = 160;
    /** Most nodes in one parsed answer. */
    static final int MAX_NODES = 20_000;

    private final long deadline;
    private int ticks;

    private Budget(long deadline) {
        this.deadline = deadline;
    }

    /** A budget ending {@code nanos} from now. */
    static Budget ofNanos(long nanos) {
        long now = System.nanoTime();
        return new Budget(nanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos);
    }

    /** Counts one step of work; checks the clock every 64 steps. */
    void tick() {
        if ((++ticks & 63) == 0) {
            check();
        }
    }

    /** Checks the clock now. */
    void check() {
        if (System.nanoTime() - deadline > 0) {
            throw new Abort(Cause.TIMEOUT, "time budget exhausted");
        }
    }

    boolean expired() {
        return System.nanoTime() - deadline > 0;
    }
}
