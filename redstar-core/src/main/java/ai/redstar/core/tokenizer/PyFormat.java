package ai.redstar.core.tokenizer;

import ai.redstar.core.tokenizer.JinjaValues.JinjaError;
import ai.redstar.core.tokenizer.JinjaValues.Tuple;
import ai.redstar.core.tokenizer.JinjaValues.Undefined;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Python's printf-style {@code str % args} for the conversions {@code %s %r %a %d %i %u %f %F %x %X %o %c %%},
 * with flags ({@code -+ 0}), width and precision and {@code %(key)s} mapping keys; other conversions fail.
 */
final class PyFormat {
    private PyFormat() {
    }

    static String format(String format, Object args) {
        List<Object> positional = args instanceof Tuple t ? t.items() : List.of(args == null ? NONE : args);
        boolean isTuple = args instanceof Tuple;
        int next = 0;
        boolean usedMapping = false;
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i++);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i >= format.length()) {
                throw new JinjaError("incomplete format");
            }
            Object value = null;
            boolean haveValue = false;
            if (format.charAt(i) == '(') {
                int close = format.indexOf(')', i);
                if (close < 0) {
                    throw new JinjaError("incomplete format key");
                }
                if (!(args instanceof Map<?, ?> map)) {
                    throw new JinjaError("format requires a mapping");
                }
                String key = format.substring(i + 1, close);
                if (!map.containsKey(key)) {
                    throw new JinjaError("KeyError: " + PyOps.reprString(key));
                }
                value = map.get(key);
                haveValue = true;
                usedMapping = true;
                i = close + 1;
            }
            boolean left = false;
            boolean plus = false;
            boolean space = false;
            boolean zero = false;
            while (i < format.length() && "-+ #0".indexOf(format.charAt(i)) >= 0) {
                char flag = format.charAt(i++);
                left |= flag == '-';
                plus |= flag == '+';
                space |= flag == ' ';
                zero |= flag == '0';
            }
            int width = -1;
            int start = i;
            while (i < format.length() && Character.isDigit(format.charAt(i))) {
                i++;
            }
            if (i > start) {
                width = Integer.parseInt(format.substring(start, Math.min(i, start + 6)));
            }
            int precision = -1;
            if (i < format.length() && format.charAt(i) == '.') {
                i++;
                start = i;
                while (i < format.length() && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                precision = i > start ? Integer.parseInt(format.substring(start, Math.min(i, start + 6))) : 0;
            }
            while (i < format.length() && "hlL".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            if (i >= format.length()) {
                throw new JinjaError("incomplete format");
            }
            char conversion = format.charAt(i++);
            if (conversion == '%') {
                out.append('%');
                continue;
            }
            if (!haveValue) {
                if (next >= positional.size()) {
                    throw new JinjaError("not enough arguments for format string");
                }
                value = positional.get(next++);
                if (value == NONE) {
                    value = null;
                }
            }
            String body;
            switch (conversion) {
                case 's':
                    body = PyOps.str(value);
                    if (precision >= 0 && body.length() > precision) {
                        body = body.substring(0, precision);
                    }
                    break;
                case 'r':
                case 'a':
                    body = PyOps.repr(value);
                    if (precision >= 0 && body.length() > precision) {
                        body = body.substring(0, precision);
                    }
                    break;
                case 'd':
                case 'i':
                case 'u':
                    body = sign(integer(value, conversion), plus, space);
                    break;
                case 'x':
                case 'X':
                case 'o': {
                    long n = integer(value, conversion);
                    String digits = Long.toString(Math.abs(n), conversion == 'o' ? 8 : 16);
                    body = (n < 0 ? "-" : plus ? "+" : space ? " " : "")
                            + (conversion == 'X' ? digits.toUpperCase(java.util.Locale.ROOT) : digits);
                    break;
                }
                case 'f':
                case 'F': {
                    double d = real(value, conversion);
                    if (Double.isNaN(d) || Double.isInfinite(d)) {
                        body = PyOps.floatRepr(d);
                    } else {
                        body = new BigDecimal(d).setScale(precision < 0 ? 6 : precision, RoundingMode.HALF_EVEN)
                                .toPlainString();
                        if (d < 0 || (d == 0 && 1 / d < 0)) {
                            body = body.startsWith("-") ? body : "-" + body;
                        }
                    }
                    body = body.startsWith("-") ? body : sign(body, plus, space);
                    break;
                }
                case 'c':
                    if (value instanceof String s && s.codePointCount(0, s.length()) == 1) {
                        body = s;
                    } else if (value instanceof Long n && n >= 0 && n <= 0x10FFFF) {
                        body = new String(Character.toChars((int) (long) n));
                    } else {
                        throw new JinjaError("%c requires int or char");
                    }
                    break;
                default:
                    throw new JinjaError("the printf-style conversion %" + conversion
                            + " is not supported by this chat template renderer");
            }
            if (width > body.length()) {
                int pad = width - body.length();
                if (left) {
                    body = body + " ".repeat(pad);
                } else if (zero && "diuxXofF".indexOf(conversion) >= 0) {
                    int signLength = body.startsWith("-") || body.startsWith("+") || body.startsWith(" ") ? 1 : 0;
                    body = body.substring(0, signLength) + "0".repeat(pad) + body.substring(signLength);
                } else {
                    body = " ".repeat(pad) + body;
                }
            }
            out.append(body);
        }
        if (isTuple && next < positional.size()) {
            throw new JinjaError("not all arguments converted during string formatting");
        }
        if (!isTuple && !usedMapping && next == 0 && !(args instanceof Map) && !(args instanceof List)
                && !(args instanceof Undefined)) {
            throw new JinjaError("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static final Object NONE = new Object();

    private static String sign(String digits, boolean plus, boolean space) {
        if (digits.startsWith("-")) {
            return digits;
        }
        return (plus ? "+" : space ? " " : "") + digits;
    }

    private static String sign(long n, boolean plus, boolean space) {
        return sign(Long.toString(n), plus, space);
    }

    private static long integer(Object v, char conversion) {
        PyOps.failIfUndefined(v);
        if (v instanceof Long || v instanceof Boolean) {
            return PyOps.toLong(v);
        }
        if (v instanceof Double d && Double.isFinite(d)) {
            if (conversion == 'x' || conversion == 'X' || conversion == 'o') {
                throw new JinjaError("%" + conversion + " format: an integer is required, not float");
            }
            return (long) d.doubleValue();
        }
        throw new JinjaError("%" + conversion + " format: a real number is required, not " + PyOps.typeName(v));
    }

    private static double real(Object v, char conversion) {
        PyOps.failIfUndefined(v);
        if (PyOps.isNumber(v)) {
            return PyOps.toDouble(v);
        }
        throw new JinjaError("must be real number, not " + PyOps.typeName(v));
    }
}
