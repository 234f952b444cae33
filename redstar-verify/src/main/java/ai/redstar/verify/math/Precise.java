package ai.redstar.verify.math;

import ai.redstar.verify.math.Node.Add;
import ai.redstar.verify.math.Node.Const;
import ai.redstar.verify.math.Node.Div;
import ai.redstar.verify.math.Node.Func;
import ai.redstar.verify.math.Node.Marked;
import ai.redstar.verify.math.Node.Mul;
import ai.redstar.verify.math.Node.Neg;
import ai.redstar.verify.math.Node.Num;
import ai.redstar.verify.math.Node.Pow;
import ai.redstar.verify.math.Node.Var;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Map;

/**
 * Real evaluation to about 64 significant digits, used only to re-check a double comparison that came out equal
 * merely because the difference was inside the rounding-error bound (catastrophic cancellation:
 * {@code \sqrt{10^{40}+1} - 10^{20}} against {@code 0}). Returns {@code null} for what it does not cover (complex
 * values, domain errors, huge arguments), in which case the double comparison stands. Not thread-safe: one per
 * grading call.
 */
final class Precise {

    static final int DIGITS = 64;
    private static final MathContext MC = new MathContext(DIGITS + 16, RoundingMode.HALF_EVEN);
    private static final BigDecimal PI = new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651");
    private static final BigDecimal E = new BigDecimal("2.71828182845904523536028747135266249775724709369995957496696762772407663035354759457138217852516642742746");
    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final BigDecimal HALF = new BigDecimal("0.5");
    private static final BigDecimal SMALL = new BigDecimal("0.00390625");
    private static final BigDecimal LN2 = new BigDecimal("0.693147180559945309417232121458176568075500134360255254120680009493393621969694715605863326996418687542001481021");
    /** Arguments of exp and trigonometric functions beyond this are not evaluated (too costly to reduce exactly). */
    private static final BigDecimal LIMIT = BigDecimal.valueOf(100_000);

    private final Budget budget;
    private final Evaluator evaluator;

    Precise(Budget budget, Evaluator evaluator) {
        this.budget = budget;
        this.evaluator = evaluator;
    }

    /** The value of a real expression at a point, or {@code null}. */
    BigDecimal value(Node node, Map<String, Double> point) {
        budget.tick();
        if (node instanceof Num n) {
            if (n.value() == null) {
                return null;
            }
            return new BigDecimal(n.value().numerator()).divide(new BigDecimal(n.value().denominator()), MC);
        } else if (node instanceof Const c) {
            return switch (c.kind()) {
                case PI -> PI;
                case E -> E;
                default -> null;
            };
        } else if (node instanceof Var v) {
            Double x = point.get(v.name());
            return x == null ? null : new BigDecimal(x);
        } else if (node instanceof Neg n) {
            BigDecimal a = value(n.operand(), point);
            return a == null ? null : a.negate();
        } else if (node instanceof Add a) {
            BigDecimal sum = BigDecimal.ZERO;
            for (Node term : a.terms()) {
                BigDecimal t = value(term, point);
                if (t == null) {
                    return null;
                }
                sum = sum.add(t, MC);
            }
            return sum;
        } else if (node instanceof Mul m) {
            BigDecimal product = BigDecimal.ONE;
            for (Node factor : m.factors()) {
                BigDecimal f = value(factor, point);
                if (f == null) {
                    return null;
                }
                product = product.multiply(f, MC);
            }
            return product;
        } else if (node instanceof Div d) {
            BigDecimal a = value(d.numerator(), point);
            BigDecimal b = a == null ? null : value(d.denominator(), point);
            return b == null || b.signum() == 0 ? null : a.divide(b, MC);
        } else if (node instanceof Pow p) {
            return power(p, point);
        } else if (node instanceof Func f) {
            return function(f, point);
        } else if (node instanceof Marked m) {
            BigDecimal a = value(m.value(), point);
            if (a == null) {
                return null;
            }
            return m.marker() == Marked.Marker.PERCENT ? a.divide(BigDecimal.valueOf(100), MC)
                    : a.multiply(PI, MC).divide(BigDecimal.valueOf(180), MC);
        }
        return null;
    }

    private BigDecimal power(Pow p, Map<String, Double> point) {
        BigDecimal base = value(p.base(), point);
        if (base == null) {
            return null;
        }
        Rational exact = evaluator.exact(p.exponent());
        if (exact != null && exact.isInteger()) {
            if (exact.numerator().bitLength() > 14) {
                return null;
            }
            int n = exact.numerator().intValue();
            if (base.signum() == 0) {
                return n > 0 ? BigDecimal.ZERO : null;
            }
            return n >= 0 ? base.pow(n, MC) : BigDecimal.ONE.divide(base.pow(-n, MC), MC);
        }
        BigDecimal exponent = value(p.exponent(), point);
        if (exponent == null) {
            return null;
        }
        if (base.signum() > 0) {
            return exp(exponent.multiply(ln(base), MC));
        }
        if (base.signum() < 0 && exact != null && exact.denominator().testBit(0)) {
            BigDecimal magnitude = exp(exponent.multiply(ln(base.negate()), MC));
            return magnitude == null ? null : exact.numerator().testBit(0) ? magnitude.negate() : magnitude;
        }
        return base.signum() == 0 && exponent.signum() > 0 ? BigDecimal.ZERO : null;
    }

    private BigDecimal function(Func f, Map<String, Double> point) {
        Rational exact = evaluator.exact(f);
        if (exact != null) {
            return new BigDecimal(exact.numerator()).divide(new BigDecimal(exact.denominator()), MC);
        }
        if (f.args().size() != 1 && !f.name().equals("log") && !f.name().equals("root")) {
            return null;
        }
        BigDecimal x = value(f.args().get(0), point);
        if (x == null) {
            return null;
        }
        switch (f.name()) {
            case "sqrt":
                return x.signum() < 0 ? null : x.sqrt(MC);
            case "root": {
                Rational index = evaluator.exact(f.args().get(1));
                if (index == null || !index.isInteger() || index.signum() <= 0 || index.numerator().bitLength() > 10) {
                    return null;
                }
                int n = index.numerator().intValue();
                if (x.signum() == 0) {
                    return BigDecimal.ZERO;
                }
                if (x.signum() < 0 && n % 2 == 0) {
                    return null;
                }
                BigDecimal magnitude = exp(ln(x.abs()).divide(BigDecimal.valueOf(n), MC));
                return magnitude == null ? null : x.signum() < 0 ? magnitude.negate() : magnitude;
            }
            case "exp":
                return exp(x);
            case "ln":
                return x.signum() <= 0 ? null : ln(x);
            case "log": {
                if (x.signum() <= 0) {
                    return null;
                }
                if (f.args().size() == 1) {
                    return ln(x);
                }
                BigDecimal b = value(f.args().get(1), point);
                if (b == null || b.signum() <= 0 || b.compareTo(BigDecimal.ONE) == 0) {
                    return null;
                }
                return ln(x).divide(ln(b), MC);
            }
            case "abs":
                return x.abs();
            case "sin":
                return sin(x);
            case "cos":
                return cos(x);
            case "tan":
            case "sec":
            case "csc":
            case "cot": {
                BigDecimal s = sin(x);
                BigDecimal c = s == null ? null : cos(x);
                if (c == null) {
                    return null;
                }
                BigDecimal numerator = f.name().equals("tan") ? s : f.name().equals("cot") ? c : BigDecimal.ONE;
                BigDecimal denominator = f.name().equals("tan") || f.name().equals("sec") ? c : s;
                return denominator.signum() == 0 ? null : numerator.divide(denominator, MC);
            }
            case "arctan":
                return arctan(x);
            case "arcsin":
            case "arccos": {
                int cmp = x.abs().compareTo(BigDecimal.ONE);
                if (cmp > 0) {
                    return null;
                }
                BigDecimal asin = cmp == 0 ? PI.divide(TWO, MC).multiply(BigDecimal.valueOf(x.signum()))
                        : arctan(x.divide(BigDecimal.ONE.subtract(x.multiply(x, MC), MC).sqrt(MC), MC));
                return f.name().equals("arcsin") ? asin : PI.divide(TWO, MC).subtract(asin, MC);
            }
            default:
                return null;
        }
    }

    private BigDecimal exp(BigDecimal x) {
        if (x.abs().compareTo(LIMIT) > 0) {
            return null;
        }
        // exp(x) = exp(x / 2^k)^(2^k) with |x / 2^k| < 2^-8 (a short series); extra digits absorb the squarings
        int k = 0;
        BigDecimal r = x;
        while (r.abs().compareTo(SMALL) > 0) {
            r = r.divide(TWO, MC);
            k++;
        }
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        BigDecimal epsilon = BigDecimal.ONE.movePointLeft(MC.getPrecision() + 2);
        for (int n = 1; n < 400; n++) {
            budget.tick();
            term = term.multiply(r, MC).divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(term, MC);
            if (term.abs().compareTo(epsilon) < 0) {
                break;
            }
        }
        for (int i = 0; i < k; i++) {
            sum = sum.multiply(sum, MC);
        }
        return sum;
    }

    /** ln(x) for x > 0: x = y·2^k with y in [1/2, 1], then 2·atanh((y-1)/(y+1)). */
    private BigDecimal ln(BigDecimal x) {
        int k = 0;
        BigDecimal y = x;
        int guard = 0;
        while (y.compareTo(BigDecimal.ONE) > 0 && guard++ < 20_000) {
            y = y.divide(TWO, MC);
            k++;
        }
        while (y.compareTo(HALF) < 0 && guard++ < 20_000) {
            y = y.multiply(TWO, MC);
            k--;
        }
        if (guard >= 20_000) {
            return null;
        }
        // ln y = 2^m ln(y^(1/2^m)): square roots bring y near 1, where the series is short
        int m = 0;
        while (y.subtract(BigDecimal.ONE).abs().compareTo(new BigDecimal("0.02")) > 0 && m < 12) {
            y = y.sqrt(MC);
            m++;
        }
        BigDecimal z = y.subtract(BigDecimal.ONE, MC).divide(y.add(BigDecimal.ONE, MC), MC);
        BigDecimal z2 = z.multiply(z, MC);
        BigDecimal power = z;
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal epsilon = BigDecimal.ONE.movePointLeft(MC.getPrecision() + 2);
        for (int n = 1; n < 2000; n += 2) {
            budget.tick();
            BigDecimal term = power.divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(term, MC);
            if (term.abs().compareTo(epsilon) < 0) {
                break;
            }
            power = power.multiply(z2, MC);
        }
        return sum.multiply(BigDecimal.valueOf(2L << m), MC).add(LN2.multiply(BigDecimal.valueOf(k), MC), MC);
    }

    private BigDecimal sin(BigDecimal x) {
        BigDecimal r = reduce(x);
        return r == null ? null : series(r, true);
    }

    private BigDecimal cos(BigDecimal x) {
        BigDecimal r = reduce(x);
        return r == null ? null : series(r, false);
    }

    /** x modulo 2π, into (-π, π]. */
    private static BigDecimal reduce(BigDecimal x) {
        if (x.abs().compareTo(LIMIT) > 0) {
            return null;
        }
        BigDecimal twoPi = PI.multiply(TWO, MC);
        BigInteger turns = x.divide(twoPi, MC).setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        return x.subtract(twoPi.multiply(new BigDecimal(turns), MC), MC);
    }

    private BigDecimal series(BigDecimal r, boolean sine) {
        BigDecimal r2 = r.multiply(r, MC);
        BigDecimal term = sine ? r : BigDecimal.ONE;
        BigDecimal sum = term;
        BigDecimal epsilon = BigDecimal.ONE.movePointLeft(MC.getPrecision() + 2);
        for (int n = sine ? 2 : 1; n < 600; n++) {
            budget.tick();
            int a = sine ? 2 * n - 2 : 2 * n - 1;
            int b = sine ? 2 * n - 1 : 2 * n;
            term = term.multiply(r2, MC).divide(BigDecimal.valueOf((long) a * b), MC).negate();
            sum = sum.add(term, MC);
            if (term.abs().compareTo(epsilon) < 0) {
                break;
            }
        }
        return sum;
    }

    /** arctan via two half-angle reductions, then the Taylor series. */
    private BigDecimal arctan(BigDecimal x) {
        if (x.abs().compareTo(BigDecimal.ONE) > 0) {
            BigDecimal inner = arctan(BigDecimal.ONE.divide(x, MC));
            BigDecimal halfPi = PI.divide(TWO, MC);
            return x.signum() > 0 ? halfPi.subtract(inner, MC) : halfPi.negate().subtract(inner, MC);
        }
        BigDecimal y = x;
        int halvings = 0;
        while (y.abs().compareTo(new BigDecimal("0.1")) > 0 && halvings < 8) {
            y = y.divide(BigDecimal.ONE.add(BigDecimal.ONE.add(y.multiply(y, MC), MC).sqrt(MC), MC), MC);
            halvings++;
        }
        BigDecimal y2 = y.multiply(y, MC);
        BigDecimal power = y;
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal epsilon = BigDecimal.ONE.movePointLeft(MC.getPrecision() + 2);
        for (int n = 1; n < 2000; n += 2) {
            budget.tick();
            BigDecimal term = power.divide(BigDecimal.valueOf(n), MC);
            sum = ((n / 2) % 2 == 0) ? sum.add(term, MC) : sum.subtract(term, MC);
            if (term.abs().compareTo(epsilon) < 0) {
                break;
            }
            power = power.multiply(y2, MC);
        }
        return sum.multiply(BigDecimal.valueOf(1L << halvings), MC);
    }
}
