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
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Evaluates expression trees, exactly over the rationals where possible ({@link #exact}) and otherwise as
 * complex doubles with an error bound ({@link #numeric}). Exponents are bounded before any power is taken,
 * so {@code 10^{10^{10}}} costs nothing and ends {@link Value.State#UNRELIABLE}. Not thread-safe: one
 * evaluator per grading call.
 */
final class Evaluator {

    private static final BigInteger MAX_FACTORIAL = BigInteger.valueOf(1000);
    private static final double EPS = Math.ulp(1.0);

    private final Budget budget;

    Evaluator(Budget budget) {
        this.budget = budget;
    }

    // ---------------------------------------------------------------- exact

    /** The exact rational value of a tree, or {@code null} when it is not a rational or is too large. */
    Rational exact(Node node) {
        budget.tick();
        if (node instanceof Num n) {
            return n.value();
        } else if (node instanceof Neg n) {
            Rational r = exact(n.operand());
            return r == null ? null : r.negate();
        } else if (node instanceof Add a) {
            Rational sum = Rational.ZERO;
            for (Node term : a.terms()) {
                Rational r = exact(term);
                if (r == null || (sum = sum.add(r)) == null) {
                    return null;
                }
            }
            return sum;
        } else if (node instanceof Mul m) {
            Rational product = Rational.ONE;
            for (Node factor : m.factors()) {
                Rational r = exact(factor);
                if (r == null || (product = product.multiply(r)) == null) {
                    return null;
                }
            }
            return product;
        } else if (node instanceof Div d) {
            Rational a = exact(d.numerator());
            Rational b = a == null ? null : exact(d.denominator());
            return b == null ? null : a.divide(b);
        } else if (node instanceof Pow p) {
            return exactPower(p);
        } else if (node instanceof Func f) {
            return exactFunction(f);
        } else if (node instanceof Marked m && m.marker() == Marked.Marker.PERCENT) {
            Rational r = exact(m.value());
            return r == null ? null : r.divide(Rational.of(100));
        }
        return null;
    }

    private Rational exactPower(Pow p) {
        Rational exponent = exact(p.exponent());
        if (exponent == null) {
            return null;
        }
        Rational base = exact(p.base());
        if (base == null) {
            return null;
        }
        if (exponent.isInteger()) {
            return base.pow(exponent.numerator());
        }
        BigInteger q = exponent.denominator();
        if (q.bitLength() > 10) {
            return null;
        }
        Rational root = base.root(q.intValue());
        return root == null ? null : root.pow(exponent.numerator());
    }

    private Rational exactFunction(Func f) {
        List<Node> args = f.args();
        switch (f.name()) {
            case "sqrt": {
                Rational r = exact(args.get(0));
                return r == null ? null : r.root(2);
            }
            case "root": {
                Rational index = exact(args.get(1));
                Rational r = index == null || !index.isInteger() || index.signum() <= 0
                        || index.numerator().bitLength() > 10 ? null : exact(args.get(0));
                return r == null ? null : r.root(index.numerator().intValue());
            }
            case "abs": {
                Rational r = exact(args.get(0));
                return r == null ? null : r.abs();
            }
            case "floor":
            case "ceil": {
                Rational r = exact(args.get(0));
                if (r == null) {
                    return null;
                }
                BigInteger[] qr = r.numerator().divideAndRemainder(r.denominator());
                BigInteger floor = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
                boolean whole = qr[1].signum() == 0;
                return Rational.of(f.name().equals("floor") || whole ? floor : floor.add(BigInteger.ONE));
            }
            case "fact": {
                Rational r = exact(args.get(0));
                if (r == null || !r.isInteger() || r.signum() < 0 || r.numerator().compareTo(MAX_FACTORIAL) > 0) {
                    return null;
                }
                BigInteger product = BigInteger.ONE;
                for (int i = 2; i <= r.numerator().intValue(); i++) {
                    budget.tick();
                    product = product.multiply(BigInteger.valueOf(i));
                }
                return Rational.of(product);
            }
            case "binom": {
                Rational n = exact(args.get(0));
                Rational k = n == null ? null : exact(args.get(1));
                if (k == null || !n.isInteger() || !k.isInteger() || n.numerator().bitLength() > 40
                        || k.signum() < 0 || k.numerator().bitLength() > 11) {
                    return null;
                }
                if (k.compareTo(n) > 0 && n.signum() >= 0) {
                    return Rational.ZERO;
                }
                BigInteger result = BigInteger.ONE;
                BigInteger top = n.numerator();
                int kk = k.numerator().intValue();
                for (int i = 0; i < kk; i++) {
                    budget.tick();
                    result = result.multiply(top.subtract(BigInteger.valueOf(i)));
                }
                BigInteger denominator = BigInteger.ONE;
                for (int i = 2; i <= kk; i++) {
                    denominator = denominator.multiply(BigInteger.valueOf(i));
                }
                return Rational.of(result, denominator);
            }
            case "gcd":
            case "lcm": {
                BigInteger acc = null;
                for (Node arg : args) {
                    Rational r = exact(arg);
                    if (r == null || !r.isInteger() || r.numerator().bitLength() > 4096) {
                        return null;
                    }
                    BigInteger v = r.numerator().abs();
                    if (acc == null) {
                        acc = v;
                    } else if (f.name().equals("gcd")) {
                        acc = acc.gcd(v);
                    } else {
                        BigInteger g = acc.gcd(v);
                        acc = g.signum() == 0 ? BigInteger.ZERO : acc.divide(g).multiply(v);
                    }
                }
                return acc == null ? null : Rational.of(acc);
            }
            case "max":
            case "min": {
                Rational best = null;
                for (Node arg : args) {
                    Rational r = exact(arg);
                    if (r == null) {
                        return null;
                    }
                    if (best == null || (f.name().equals("max") ? r.compareTo(best) > 0 : r.compareTo(best) < 0)) {
                        best = r;
                    }
                }
                return best;
            }
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------- numeric

    /**
     * The value of a tree at a point.
     *
     * @param point values of the free variables; a variable missing from it makes the value undefined
     * @param complex whether square roots, logarithms and fractional powers of negative numbers take their
     *     principal complex values; when false they are undefined (the real domain of a function)
     */
    Value numeric(Node node, Map<String, Double> point, boolean complex) {
        budget.tick();
        if (node instanceof Num n) {
            return number(n);
        } else if (node instanceof Const c) {
            return switch (c.kind()) {
                case PI -> Value.real(Math.PI, Math.ulp(Math.PI));
                case E -> Value.real(Math.E, Math.ulp(Math.E));
                case I -> Value.of(0, 1, 0);
                case INFINITY -> Value.infinity(1, 0);
            };
        } else if (node instanceof Var v) {
            Double x = point.get(v.name());
            return x == null ? Value.UNDEFINED : Value.real(x, 0);
        } else if (node instanceof Neg n) {
            return negate(numeric(n.operand(), point, complex));
        } else if (node instanceof Add a) {
            Value sum = Value.ZERO;
            for (Node term : a.terms()) {
                sum = add(sum, numeric(term, point, complex));
                if (sum.state == Value.State.UNDEFINED || sum.state == Value.State.UNRELIABLE) {
                    return sum;
                }
            }
            return sum;
        } else if (node instanceof Mul m) {
            Value product = null;
            for (Node factor : m.factors()) {
                Value v = numeric(factor, point, complex);
                product = product == null ? v : multiply(product, v);
                if (product.state == Value.State.UNDEFINED || product.state == Value.State.UNRELIABLE) {
                    return product;
                }
            }
            return product;
        } else if (node instanceof Div d) {
            return divide(numeric(d.numerator(), point, complex), numeric(d.denominator(), point, complex));
        } else if (node instanceof Pow p) {
            Rational exponent = exact(p.exponent());
            return power(numeric(p.base(), point, complex), numeric(p.exponent(), point, complex), exponent, complex);
        } else if (node instanceof Func f) {
            return function(f, point, complex);
        } else if (node instanceof Marked m) {
            Value v = numeric(m.value(), point, complex);
            return m.marker() == Marked.Marker.PERCENT
                    ? divide(v, Value.real(100, 0))
                    : multiply(v, Value.real(Math.PI / 180, Math.ulp(Math.PI / 180)));
        }
        return Value.UNDEFINED;
    }

    private static Value number(Num n) {
        if (n.value() != null) {
            double d = n.value().doubleValue();
            if (!Double.isFinite(d)) {
                return Value.UNRELIABLE;
            }
            if (d == 0 && n.value().signum() != 0) {
                return Value.UNRELIABLE;
            }
            boolean exact = n.value().isInteger() && n.value().numerator().bitLength() <= 53;
            return Value.real(d, exact ? 0 : Math.ulp(d));
        }
        try {
            // no exact value: the number is too large or too small to hold, so a double overflows or underflows
            double d = Double.parseDouble(n.text());
            return Double.isFinite(d) && d != 0 ? Value.real(d, Math.ulp(d)) : Value.UNRELIABLE;
        } catch (NumberFormatException e) {
            return Value.UNRELIABLE;
        }
    }

    private static boolean broken(Value v) {
        return v.state == Value.State.UNDEFINED || v.state == Value.State.UNRELIABLE;
    }

    private static Value worst(Value a, Value b) {
        return a.state == Value.State.UNDEFINED || b.state == Value.State.UNDEFINED ? Value.UNDEFINED : Value.UNRELIABLE;
    }

    static Value negate(Value a) {
        return switch (a.state) {
            case FINITE -> Value.of(-a.re, -a.im, a.err);
            case INFINITE -> Value.infinity(-a.re, -a.im);
            default -> a;
        };
    }

    static Value add(Value a, Value b) {
        if (broken(a) || broken(b)) {
            return worst(a, b);
        }
        if (a.state == Value.State.INFINITE || b.state == Value.State.INFINITE) {
            if (a.state == Value.State.INFINITE && b.state == Value.State.INFINITE) {
                return a.re == b.re && a.im == b.im ? a : Value.UNDEFINED;
            }
            return a.state == Value.State.INFINITE ? a : b;
        }
        double re = a.re + b.re;
        double im = a.im + b.im;
        double scale = Math.max(Math.max(a.abs(), b.abs()), Math.hypot(re, im));
        return Value.of(re, im, a.err + b.err + 2 * Math.ulp(scale));
    }

    static Value multiply(Value a, Value b) {
        if (broken(a) || broken(b)) {
            return worst(a, b);
        }
        if (a.state == Value.State.INFINITE || b.state == Value.State.INFINITE) {
            Value finite = a.state == Value.State.INFINITE ? b : a;
            Value infinite = a.state == Value.State.INFINITE ? a : b;
            if (finite.state == Value.State.INFINITE) {
                return Value.infinity(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
            }
            if (finite.mayBeZero()) {
                return Value.UNDEFINED;
            }
            return Value.infinity(Math.signum(infinite.re * finite.re - infinite.im * finite.im),
                    Math.signum(infinite.re * finite.im + infinite.im * finite.re));
        }
        double re = a.re * b.re - a.im * b.im;
        double im = a.re * b.im + a.im * b.re;
        double magnitude = Math.hypot(re, im);
        if (magnitude == 0 && a.abs() != 0 && b.abs() != 0) {
            return Value.UNRELIABLE;
        }
        double err = a.abs() * b.err + b.abs() * a.err + a.err * b.err + 4 * Math.ulp(magnitude);
        return Value.of(re, im, err);
    }

    static Value divide(Value a, Value b) {
        if (broken(a) || broken(b)) {
            return worst(a, b);
        }
        if (b.state == Value.State.INFINITE) {
            return a.state == Value.State.INFINITE ? Value.UNDEFINED : Value.ZERO;
        }
        double bb = b.abs();
        if (bb == 0 || bb <= 2 * b.err) {
            return Value.UNDEFINED;
        }
        if (a.state == Value.State.INFINITE) {
            return multiply(a, Value.of(b.re / (bb * bb), -b.im / (bb * bb), 0));
        }
        double denominator = b.re * b.re + b.im * b.im;
        double re;
        double im;
        if (b.im == 0) {
            re = a.re / b.re;
            im = a.im / b.re;
        } else {
            re = (a.re * b.re + a.im * b.im) / denominator;
            im = (a.im * b.re - a.re * b.im) / denominator;
        }
        double magnitude = Math.hypot(re, im);
        if (magnitude == 0 && a.abs() != 0) {
            return Value.UNRELIABLE;
        }
        double err = (a.err + magnitude * b.err) / (bb - b.err) + 4 * Math.ulp(magnitude);
        return Value.of(re, im, err);
    }

    private Value power(Value base, Value exponent, Rational exactExponent, boolean complex) {
        if (broken(base) || broken(exponent)) {
            return worst(base, exponent);
        }
        if (base.state == Value.State.INFINITE || exponent.state == Value.State.INFINITE) {
            if (exponent.state == Value.State.FINITE && exponent.isReal() && base.re > 0 && base.im == 0) {
                return exponent.re > 0 ? base : exponent.re < 0 ? Value.ZERO : Value.UNDEFINED;
            }
            return Value.UNDEFINED;
        }
        if (exactExponent != null && exactExponent.isInteger()) {
            return integerPower(base, exactExponent.numerator());
        }
        if (base.abs() == 0 && base.err == 0) {
            return exponent.isReal() && exponent.re > 0 ? Value.ZERO : Value.UNDEFINED;
        }
        if (base.mayBeZero()) {
            return Value.UNRELIABLE;
        }
        if (base.isReal() && exponent.isReal()) {
            if (base.re > 0) {
                double r = Math.pow(base.re, exponent.re);
                double err = Math.abs(r) * (Math.abs(exponent.re) * base.err / base.re
                        + Math.abs(Math.log(base.re)) * exponent.err) + 4 * Math.ulp(r);
                return Value.real(r, err);
            }
            // a negative base: an odd root is real (\sqrt[3]{-8} = -2 and (-8)^{1/3} = -2 alike)
            if (exactExponent != null && exactExponent.denominator().testBit(0)) {
                double magnitude = Math.pow(-base.re, exponent.re);
                boolean oddNumerator = exactExponent.numerator().testBit(0);
                double r = oddNumerator ? -magnitude : magnitude;
                double err = Math.abs(r) * Math.abs(exponent.re) * base.err / -base.re + 4 * Math.ulp(r);
                return Value.real(r, err);
            }
            if (!complex) {
                return Value.UNDEFINED;
            }
        }
        if (!complex && !(base.isReal() && exponent.isReal())) {
            return Value.UNDEFINED;
        }
        // principal value: exp(exponent * log(base))
        Value log = log(base, true);
        Value product = multiply(exponent, log);
        return exp(product);
    }

    private Value integerPower(Value base, BigInteger n) {
        if (n.signum() == 0) {
            return Value.real(1, 0);
        }
        if (base.abs() == 0 && base.err == 0) {
            return n.signum() > 0 ? Value.ZERO : Value.UNDEFINED;
        }
        if (n.bitLength() > 31) {
            double magnitude = base.abs();
            if (Math.abs(magnitude - 1) <= 4 * base.err) {
                return Value.UNRELIABLE;
            }
            return Value.UNRELIABLE; // |base|^(huge) overflows or underflows
        }
        int e = n.abs().intValue();
        if (Math.log(Math.max(base.abs(), Double.MIN_NORMAL)) * e > 700 || Math.log(base.abs()) * e < -700) {
            return Value.UNRELIABLE;
        }
        Value result = Value.real(1, 0);
        Value square = base;
        int k = e;
        while (k > 0) {
            budget.tick();
            if ((k & 1) == 1) {
                result = multiply(result, square);
            }
            k >>= 1;
            if (k > 0) {
                square = multiply(square, square);
            }
            if (broken(result) || broken(square)) {
                return Value.UNRELIABLE;
            }
        }
        return n.signum() > 0 ? result : divide(Value.real(1, 0), result);
    }

    private static Value exp(Value a) {
        if (broken(a)) {
            return a;
        }
        if (a.state != Value.State.FINITE) {
            return Value.UNDEFINED;
        }
        if (a.re > 700 || a.re < -700) {
            return Value.UNRELIABLE;
        }
        double magnitude = Math.exp(a.re);
        double re = magnitude * Math.cos(a.im);
        double im = a.im == 0 ? 0 : magnitude * Math.sin(a.im);
        return Value.of(re, im, magnitude * (a.err * (1 + a.err) + 4 * EPS * (1 + Math.abs(a.im))));
    }

    private static Value log(Value a, boolean complex) {
        if (broken(a) || a.state != Value.State.FINITE) {
            return Value.UNDEFINED;
        }
        double magnitude = a.abs();
        if (magnitude <= 2 * a.err) {
            return Value.UNDEFINED;
        }
        if (!complex && !(a.isReal() && a.re > 0)) {
            return Value.UNDEFINED;
        }
        double re = Math.log(magnitude);
        double im = a.isReal() && a.re > 0 ? 0 : Math.atan2(a.im, a.re);
        return Value.of(re, im, a.err / (magnitude - a.err) + 4 * Math.ulp(Math.abs(re) + Math.abs(im)));
    }

    private static Value sqrt(Value a, boolean complex) {
        if (broken(a) || a.state != Value.State.FINITE) {
            return a.state == Value.State.INFINITE && a.re > 0 ? a : Value.UNDEFINED;
        }
        double magnitude = a.abs();
        if (magnitude <= 2 * a.err) {
            return Value.real(0, Math.sqrt(3 * a.err));
        }
        if (a.isReal() && a.re > 0) {
            double r = Math.sqrt(a.re);
            return Value.real(r, a.err / (2 * Math.sqrt(a.re - Math.min(a.err, a.re / 2))) + Math.ulp(r));
        }
        if (!complex) {
            return Value.UNDEFINED;
        }
        if (a.isReal()) {
            return Value.of(0, Math.sqrt(-a.re), a.err / (2 * Math.sqrt(-a.re - Math.min(a.err, -a.re / 2))) + Math.ulp(1.0));
        }
        double r = Math.sqrt(magnitude);
        double theta = Math.atan2(a.im, a.re) / 2;
        return Value.of(r * Math.cos(theta), r * Math.sin(theta), a.err / Math.sqrt(magnitude) + 4 * Math.ulp(r));
    }

    private Value function(Func f, Map<String, Double> point, boolean complex) {
        List<Node> args = f.args();
        if (Functions.variadic(f.name())) {
            return variadic(f, point, complex);
        }
        if (f.name().equals("binom")) {
            Rational exactValue = exact(f);
            return exactValue == null ? Value.UNDEFINED : number(new Num(exactValue, exactValue.toString(), false));
        }
        Value a = numeric(args.get(0), point, complex);
        if (broken(a)) {
            return a;
        }
        switch (f.name()) {
            case "sqrt":
                return sqrt(a, complex);
            case "root": {
                Rational index = exact(args.get(1));
                if (index == null || !index.isInteger() || index.signum() <= 0 || index.numerator().bitLength() > 20) {
                    return Value.UNDEFINED;
                }
                return power(a, Value.real(1.0 / index.numerator().intValue(), 0),
                        Rational.of(BigInteger.ONE, index.numerator()), complex);
            }
            case "exp":
                return exp(a);
            case "ln":
                return log(a, complex);
            case "log": {
                Value ln = log(a, complex);
                if (args.size() == 1) {
                    return ln;
                }
                return divide(ln, log(numeric(args.get(1), point, complex), complex));
            }
            case "abs":
                return a.state == Value.State.INFINITE ? Value.infinity(1, 0) : Value.real(a.abs(), a.err);
            default:
                break;
        }
        if (a.state != Value.State.FINITE) {
            return Value.UNDEFINED;
        }
        switch (f.name()) {
            case "sin":
            case "cos":
            case "tan":
            case "sec":
            case "csc":
            case "cot":
                return trigonometric(f.name(), a);
            default:
                break;
        }
        if (!a.isReal()) {
            return Value.UNDEFINED;
        }
        double x = a.re;
        double e = a.err;
        switch (f.name()) {
            case "arcsin":
            case "arccos": {
                if (Math.abs(x) > 1 + e) {
                    return Value.UNDEFINED;
                }
                double clamped = Math.max(-1, Math.min(1, x));
                double r = f.name().equals("arcsin") ? Math.asin(clamped) : Math.acos(clamped);
                double propagated = e == 0 ? 0 : e / Math.sqrt(Math.max(1 - clamped * clamped, e)) + Math.sqrt(e);
                return Value.real(r, propagated + 4 * Math.ulp(r));
            }
            case "arctan":
                return Value.real(Math.atan(x), e / (1 + x * x) + 4 * Math.ulp(1.0));
            case "arccot":
                return Value.real(Math.PI / 2 - Math.atan(x), e / (1 + x * x) + 8 * Math.ulp(1.0));
            case "arcsec":
            case "arccsc": {
                if (Math.abs(x) < 1 - e) {
                    return Value.UNDEFINED;
                }
                double inverse = 1 / x;
                double clamped = Math.max(-1, Math.min(1, inverse));
                double r = f.name().equals("arcsec") ? Math.acos(clamped) : Math.asin(clamped);
                double propagated = e == 0 ? 0 : e / (x * x) / Math.sqrt(Math.max(1 - clamped * clamped, e)) + Math.sqrt(e);
                return Value.real(r, propagated + 4 * Math.ulp(r));
            }
            case "sinh":
            case "cosh":
            case "tanh": {
                if (Math.abs(x) > 700) {
                    return Value.UNRELIABLE;
                }
                double r = f.name().equals("sinh") ? Math.sinh(x) : f.name().equals("cosh") ? Math.cosh(x) : Math.tanh(x);
                return Value.real(r, e * Math.cosh(x) + 4 * Math.ulp(r));
            }
            case "floor":
            case "ceil": {
                double r = f.name().equals("floor") ? Math.floor(x) : Math.ceil(x);
                double nearest = Math.rint(x);
                if (Math.abs(x - nearest) <= 4 * e + 4 * Math.ulp(x) && e > 0) {
                    return Value.UNRELIABLE; // too close to a whole number to know which side it is on
                }
                return Value.real(r, 0);
            }
            case "fact":
                return factorial(x, e);
            default:
                return Value.UNDEFINED;
        }
    }

    private static Value trigonometric(String name, Value a) {
        double x = a.re;
        double y = a.im;
        double growth = Math.cosh(Math.min(Math.abs(y), 700));
        double err = a.err * growth * (1 + a.err) + 4 * EPS * growth;
        Value sin = Value.of(Math.sin(x) * Math.cosh(y), Math.cos(x) * Math.sinh(y), err);
        Value cos = Value.of(Math.cos(x) * Math.cosh(y), -Math.sin(x) * Math.sinh(y), err);
        Value one = Value.real(1, 0);
        return switch (name) {
            case "sin" -> sin;
            case "cos" -> cos;
            case "tan" -> divide(sin, cos);
            case "sec" -> divide(one, cos);
            case "csc" -> divide(one, sin);
            default -> divide(cos, sin);
        };
    }

    private static Value factorial(double x, double err) {
        double n = Math.rint(x);
        if (Math.abs(x - n) <= 4 * err + 1e-12 && n >= 0) {
            if (n > 170) {
                return Value.UNRELIABLE;
            }
            double r = 1;
            for (int i = 2; i <= (int) n; i++) {
                r *= i;
            }
            return Value.real(r, r * n * EPS);
        }
        if (x < 0) {
            return Value.UNDEFINED;
        }
        double r = gamma(x + 1);
        return Double.isFinite(r) ? Value.real(r, Math.abs(r) * (1e-13 + err * Math.log(x + 2) * 2)) : Value.UNRELIABLE;
    }

    /** The gamma function for x > 0 (Lanczos approximation, g = 7, about 15 digits). */
    private static double gamma(double x) {
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        if (x < 0.5) {
            return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
        }
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            a += c[i] / (x + i);
        }
        return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
    }

    private Value variadic(Func f, Map<String, Double> point, boolean complex) {
        Rational exactValue = exact(f);
        if (exactValue != null) {
            return number(new Num(exactValue, exactValue.toString(), false));
        }
        if (f.name().equals("gcd") || f.name().equals("lcm")) {
            return Value.UNDEFINED;
        }
        Value best = null;
        for (Node arg : f.args()) {
            Value v = numeric(arg, point, complex);
            if (!v.isReal()) {
                return broken(v) ? v : Value.UNDEFINED;
            }
            if (best == null || (f.name().equals("max") ? v.re > best.re : v.re < best.re)) {
                best = v;
            }
        }
        return best;
    }
}
