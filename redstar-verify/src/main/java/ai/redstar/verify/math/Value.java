package ai.redstar.verify.math;

/**
 * A complex floating-point value with a bound on its accumulated rounding error (midpoint-radius arithmetic):
 * the true value lies within {@link #err} of {@code re + i·im}. The bound lets two irrational expressions be
 * called equal when they agree to within their rounding ({@code \frac{\sqrt2}{2}} and {@code \frac{1}{\sqrt2}},
 * {@code \sin\pi} and 0) without any absolute tolerance that would equate {@code 2^{-99}} and {@code 2^{-98}}.
 *
 * <p>A value that overflowed or underflowed is {@link State#UNRELIABLE}, never equal to anything, so that two
 * huge values never compare equal because both became infinite. Immutable.
 */
final class Value {

    enum State {
        /** An ordinary value. */
        FINITE,
        /** A written infinity ({@code \infty}), with a direction in {@code re}/{@code im}. */
        INFINITE,
        /** Outside the domain: division by zero, logarithm of zero, a non-scalar. */
        UNDEFINED,
        /** Overflowed, underflowed or too imprecise to trust. */
        UNRELIABLE
    }

    static final Value UNDEFINED = new Value(Double.NaN, Double.NaN, 0, State.UNDEFINED);
    static final Value UNRELIABLE = new Value(Double.NaN, Double.NaN, 0, State.UNRELIABLE);
    static final Value ZERO = new Value(0, 0, 0, State.FINITE);

    /** Magnitudes below this (except exact zero) count as underflow. */
    private static final double TINY = 1e-280;
    private static final double HUGE = 1e280;

    final double re;
    final double im;
    final double err;
    final State state;

    private Value(double re, double im, double err, State state) {
        this.re = re;
        this.im = im;
        this.err = err;
        this.state = state;
    }

    /** A finite value, or {@link #UNRELIABLE} when it overflowed, underflowed or lost all precision. */
    static Value of(double re, double im, double err) {
        if (!Double.isFinite(re) || !Double.isFinite(im) || !Double.isFinite(err)) {
            return UNRELIABLE;
        }
        double magnitude = Math.hypot(re, im);
        if (magnitude > HUGE || magnitude != 0 && magnitude < TINY) {
            return UNRELIABLE;
        }
        // +0.0 for -0.0, so that the sign of a zero never picks a branch (sqrt(-4) is 2i, not -2i)
        return new Value(re + 0.0, im + 0.0, Math.abs(err), State.FINITE);
    }

    static Value real(double re, double err) {
        return of(re, 0, err);
    }

    static Value infinity(double directionRe, double directionIm) {
        return new Value(directionRe, directionIm, 0, State.INFINITE);
    }

    boolean finite() {
        return state == State.FINITE;
    }

    double abs() {
        return Math.hypot(re, im);
    }

    /** Whether the imaginary part may be zero. */
    boolean isReal() {
        return finite() && Math.abs(im) <= 4 * err + 4 * Math.ulp(Math.abs(re));
    }

    /** Whether the value may be zero. */
    boolean mayBeZero() {
        return finite() && abs() <= 4 * err;
    }

    @Override
    public String toString() {
        return switch (state) {
            case FINITE -> im == 0 ? Double.toString(re) : re + (im < 0 ? " - " : " + ") + Math.abs(im) + "i";
            case INFINITE -> (re < 0 ? "-" : "") + "infinity";
            case UNDEFINED -> "undefined";
            case UNRELIABLE -> "overflow";
        };
    }
}
