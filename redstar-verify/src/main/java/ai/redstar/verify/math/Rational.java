package ai.redstar.verify.math;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * An exact rational number {@code numerator / denominator} in lowest terms with a positive denominator.
 *
 * <p>Every operation that could grow a value without bound checks the size of its result first and returns
 * {@code null} when the result would need more than {@link #MAX_BITS} bits: callers then fall back to
 * floating point, where an overflow becomes an undecided verdict. {@code 10^{10^{10}}} is therefore never
 * computed. Immutable and thread-safe.
 */
final class Rational implements Comparable<Rational> {

    /** Largest numerator or denominator kept exactly (about 4,900 decimal digits). */
    static final int MAX_BITS = 16_384;

    static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
    static final Rational ONE = new Rational(BigInteger.ONE, BigInteger.ONE);

    private final BigInteger numerator;
    private final BigInteger denominator;

    private Rational(BigInteger numerator, BigInteger denominator) {
        this.numerator = numerator;
        this.denominator = denominator;
    }

    static Rational of(long value) {
        return new Rational(BigInteger.valueOf(value), BigInteger.ONE);
    }

    static Rational of(BigInteger value) {
        return new Rational(value, BigInteger.ONE);
    }

    /** The reduced fraction {@code n / d}; {@code null} if {@code d} is zero or the result is too large. */
    static Rational of(BigInteger n, BigInteger d) {
        if (d.signum() == 0) {
            return null;
        }
        if (d.signum() < 0) {
            n = n.negate();
            d = d.negate();
        }
        BigInteger g = n.gcd(d);
        if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
            n = n.divide(g);
            d = d.divide(g);
        }
        if (n.signum() == 0) {
            d = BigInteger.ONE;
        }
        if (n.bitLength() > MAX_BITS || d.bitLength() > MAX_BITS) {
            return null;
        }
        return new Rational(n, d);
    }

    /** The exact value of a finite double; {@code null} for NaN or infinity. */
    static Rational ofDouble(double value) {
        if (!Double.isFinite(value)) {
            return null;
        }
        BigDecimal exact = new BigDecimal(value);
        return ofDecimal(exact.unscaledValue(), exact.scale());
    }

    /** {@code unscaled * 10^-scale}; {@code null} when too large. */
    static Rational ofDecimal(BigInteger unscaled, int scale) {
        if (Math.abs((long) scale) > MAX_BITS / 3) {
            return null;
        }
        BigInteger ten = BigInteger.TEN.pow(Math.abs(scale));
        return scale >= 0 ? of(unscaled, ten) : of(unscaled.multiply(ten), BigInteger.ONE);
    }

    BigInteger numerator() {
        return numerator;
    }

    BigInteger denominator() {
        return denominator;
    }

    boolean isInteger() {
        return denominator.equals(BigInteger.ONE);
    }

    int signum() {
        return numerator.signum();
    }

    Rational negate() {
        return new Rational(numerator.negate(), denominator);
    }

    Rational abs() {
        return signum() < 0 ? negate() : this;
    }

    Rational add(Rational other) {
        if (denominator.equals(other.denominator)) {
            return of(numerator.add(other.numerator), denominator);
        }
        return of(numerator.multiply(other.denominator).add(other.numerator.multiply(denominator)),
                denominator.multiply(other.denominator));
    }

    Rational subtract(Rational other) {
        return add(other.negate());
    }

    Rational multiply(Rational other) {
        return of(numerator.multiply(other.numerator), denominator.multiply(other.denominator));
    }

    /** {@code null} when {@code other} is zero. */
    Rational divide(Rational other) {
        return of(numerator.multiply(other.denominator), denominator.multiply(other.numerator));
    }

    /**
     * {@code this^exponent} for an integer exponent; {@code null} when the result would exceed {@link #MAX_BITS}
     * bits or is undefined ({@code 0^-1}). The size is checked before any multiplication.
     */
    Rational pow(BigInteger exponent) {
        if (exponent.signum() == 0) {
            return ONE;
        }
        if (numerator.signum() == 0) {
            return exponent.signum() > 0 ? ZERO : null;
        }
        boolean unit = numerator.abs().equals(BigInteger.ONE) && denominator.equals(BigInteger.ONE);
        if (unit) {
            return numerator.signum() > 0 || !exponent.testBit(0) ? ONE : ONE.negate();
        }
        if (exponent.bitLength() > 31) {
            return null;
        }
        int e = Math.abs(exponent.intValue());
        long bits = (long) Math.max(numerator.bitLength(), denominator.bitLength()) * e;
        if (bits > MAX_BITS + 64) {
            return null;
        }
        Rational r = of(numerator.pow(e), denominator.pow(e));
        if (r == null) {
            return null;
        }
        return exponent.signum() > 0 ? r : ONE.divide(r);
    }

    /**
     * The exact {@code n}-th root if this value is a perfect {@code n}-th power of a rational (for example
     * {@code sqrt(4/9) = 2/3}); {@code null} otherwise, or for an even root of a negative number.
     */
    Rational root(int n) {
        if (n <= 0) {
            return null;
        }
        if (n == 1) {
            return this;
        }
        if (signum() < 0) {
            if (n % 2 == 0) {
                return null;
            }
            Rational r = negate().root(n);
            return r == null ? null : r.negate();
        }
        BigInteger a = exactRoot(numerator, n);
        BigInteger b = a == null ? null : exactRoot(denominator, n);
        return b == null ? null : of(a, b);
    }

    private static BigInteger exactRoot(BigInteger x, int n) {
        if (x.signum() == 0 || x.equals(BigInteger.ONE)) {
            return x;
        }
        if (n == 2) {
            BigInteger r = x.sqrt();
            return r.multiply(r).equals(x) ? r : null;
        }
        if (n > x.bitLength()) {
            return null;
        }
        // Newton's method on integers, starting above the root.
        BigInteger guess = BigInteger.ONE.shiftLeft(x.bitLength() / n + 1);
        BigInteger nn = BigInteger.valueOf(n);
        while (true) {
            BigInteger next = guess.multiply(nn.subtract(BigInteger.ONE)).add(x.divide(guess.pow(n - 1))).divide(nn);
            if (next.compareTo(guess) >= 0) {
                break;
            }
            guess = next;
        }
        return guess.pow(n).equals(x) ? guess : null;
    }

    /** The nearest double; infinite when the magnitude exceeds the double range. */
    double doubleValue() {
        if (isInteger() && numerator.bitLength() < 63) {
            return numerator.longValue();
        }
        if (numerator.bitLength() < 53 && denominator.bitLength() < 53) {
            return (double) numerator.longValue() / denominator.longValue();
        }
        return new BigDecimal(numerator).divide(new BigDecimal(denominator), MathContext.DECIMAL64).doubleValue();
    }

    /** An exact rational equal to {@code |this - other| <= tolerance * max(|this|, |other|)}. */
    boolean closeTo(Rational other, Rational relativeTolerance) {
        Rational difference = subtract(other);
        if (difference == null) {
            return false;
        }
        Rational scale = abs().compareTo(other.abs()) >= 0 ? abs() : other.abs();
        Rational bound = scale.multiply(relativeTolerance);
        return bound != null && difference.abs().compareTo(bound) <= 0;
    }

    @Override
    public int compareTo(Rational other) {
        return numerator.multiply(other.denominator).compareTo(other.numerator.multiply(denominator));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rational r && numerator.equals(r.numerator) && denominator.equals(r.denominator);
    }

    @Override
    public int hashCode() {
        return numerator.hashCode() * 31 + denominator.hashCode();
    }

    @Override
    public String toString() {
        return isInteger() ? numerator.toString() : numerator + "/" + denominator;
    }
}
