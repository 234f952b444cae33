package ai.redstar.core.tokenizer;

import ai.redstar.core.tokenizer.JinjaValues.Function;
import ai.redstar.core.tokenizer.JinjaValues.Generator;
import ai.redstar.core.tokenizer.JinjaValues.JinjaError;
import ai.redstar.core.tokenizer.JinjaValues.Namespace;
import ai.redstar.core.tokenizer.JinjaValues.Slice;
import ai.redstar.core.tokenizer.JinjaValues.Tuple;
import ai.redstar.core.tokenizer.JinjaValues.Undefined;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Python semantics for the template interpreter: truth, str/repr, equality, ordering, arithmetic, indexing. */
final class PyOps {
    private PyOps() {
    }

    // ---------------------------------------------------------------- conversion from Java

    /** Converts caller-supplied Java values (and Gson trees) to interpreter values, copying containers. */
    static Object fromJava(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
                || value instanceof Double) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float) {
            return ((Float) value).doubleValue();
        }
        if (value instanceof BigInteger big) {
            if (big.bitLength() > 63) {
                throw new IllegalArgumentException("integer " + big + " is out of the 64-bit range of chat templates");
            }
            return big.longValue();
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.doubleValue();
        }
        if (value instanceof Character c) {
            return c.toString();
        }
        if (value instanceof ChatMessage message) {
            Map<Object, Object> map = new LinkedHashMap<>();
            map.put("role", message.role().wireName());
            map.put("content", message.content());
            return Collections.unmodifiableMap(map);
        }
        if (value instanceof JsonElement json) {
            return fromJson(json);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                copy.put(fromJava(e.getKey()), fromJava(e.getValue()));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof Iterable<?> items) {
            List<Object> copy = new ArrayList<>();
            for (Object item : items) {
                copy.add(fromJava(item));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof Object[] array) {
            List<Object> copy = new ArrayList<>();
            for (Object item : array) {
                copy.add(fromJava(item));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException("a chat template variable cannot hold a " + value.getClass().getName()
                + "; use String, Boolean, Number, List, Map, ChatMessage or a Gson JsonElement");
    }

    private static Object fromJson(JsonElement json) {
        if (json == null || json.isJsonNull()) {
            return null;
        }
        if (json.isJsonObject()) {
            Map<Object, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : ((JsonObject) json).entrySet()) {
                map.put(e.getKey(), fromJson(e.getValue()));
            }
            return Collections.unmodifiableMap(map);
        }
        if (json.isJsonArray()) {
            List<Object> list = new ArrayList<>();
            for (JsonElement e : (JsonArray) json) {
                list.add(fromJson(e));
            }
            return Collections.unmodifiableList(list);
        }
        JsonPrimitive p = json.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isString()) {
            return p.getAsString();
        }
        BigDecimal number = p.getAsBigDecimal();
        String text = p.getAsString();
        boolean integral = text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
        if (integral) {
            try {
                return number.longValueExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("integer " + text + " is out of the 64-bit range of chat templates");
            }
        }
        return number.doubleValue();
    }

    // ---------------------------------------------------------------- type names, truth, str, repr

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof JinjaValues.Range) {
            return "range";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Tuple) {
            return "tuple";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof Undefined) {
            return "Undefined";
        }
        if (v instanceof Namespace) {
            return "Namespace";
        }
        if (v instanceof JinjaLoop) {
            return "LoopContext";
        }
        if (v instanceof Generator) {
            return "generator";
        }
        if (v instanceof Function) {
            return "builtin_function_or_method";
        }
        if (v instanceof Slice) {
            return "slice";
        }
        return v.getClass().getSimpleName();
    }

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof Tuple t) {
            return !t.items().isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        if (v instanceof JinjaLoop loop) {
            return loop.length() > 0;
        }
        return true;
    }

    /** Python {@code str(v)}; an undefined value prints as the empty string, as in Jinja. */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Undefined) {
            return "";
        }
        return repr(v);
    }

    static String repr(Object v) {
        StringBuilder out = new StringBuilder();
        repr(v, out, 0);
        return out.toString();
    }

    private static void repr(Object v, StringBuilder out, int depth) {
        if (depth > 100) {
            throw new JinjaError("value is nested too deeply to print");
        }
        if (v == null) {
            out.append("None");
        } else if (v instanceof Boolean b) {
            out.append(b ? "True" : "False");
        } else if (v instanceof Long l) {
            out.append(l.longValue());
        } else if (v instanceof Double d) {
            out.append(floatRepr(d));
        } else if (v instanceof String s) {
            out.append(reprString(s));
        } else if (v instanceof JinjaValues.Range range) {
            out.append("range(").append(range.start).append(", ").append(range.stop);
            if (range.step != 1) {
                out.append(", ").append(range.step);
            }
            out.append(')');
        } else if (v instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                repr(list.get(i), out, depth + 1);
            }
            out.append(']');
        } else if (v instanceof Tuple t) {
            out.append('(');
            List<Object> items = t.items();
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                repr(items.get(i), out, depth + 1);
            }
            if (items.size() == 1) {
                out.append(',');
            }
            out.append(')');
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(", ");
                }
                first = false;
                repr(e.getKey(), out, depth + 1);
                out.append(": ");
                repr(e.getValue(), out, depth + 1);
            }
            out.append('}');
        } else if (v instanceof Undefined) {
            out.append("Undefined");
        } else if (v instanceof Namespace ns) {
            out.append("<Namespace ");
            repr(ns.attributes, out, depth + 1);
            out.append('>');
        } else if (v instanceof JinjaLoop loop) {
            out.append("<LoopContext ").append(loop.index()).append('/').append(loop.length()).append('>');
        } else if (v instanceof Generator g) {
            out.append("<").append(g.kind).append(" object>");
        } else if (v instanceof Function f) {
            out.append("<built-in function ").append(f.name()).append('>');
        } else if (v instanceof Slice s) {
            out.append("slice(");
            repr(s.start(), out, depth + 1);
            out.append(", ");
            repr(s.stop(), out, depth + 1);
            out.append(", ");
            repr(s.step(), out, depth + 1);
            out.append(')');
        } else {
            out.append('<').append(typeName(v)).append(" object>");
        }
    }

    /** Python {@code repr(str)}. */
    static String reprString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2);
        out.append(quote);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (!isPrintable(cp)) {
                if (cp <= 0xFF) {
                    out.append(String.format(java.util.Locale.ROOT, "\\x%02x", cp));
                } else if (cp <= 0xFFFF) {
                    out.append(String.format(java.util.Locale.ROOT, "\\u%04x", cp));
                } else {
                    out.append(String.format(java.util.Locale.ROOT, "\\U%08x", cp));
                }
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.append(quote).toString();
    }

    /** Python's {@code str.isprintable()} for one code point (by Unicode category). */
    static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SPACE_SEPARATOR:
                return false;
            default:
                return true;
        }
    }

    /** Python's {@code repr(float)}: the shortest digits that read back to the same double. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0.0) {
            return (1.0 / d) < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal shortest = exact;
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                shortest = candidate;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        StringBuilder out = new StringBuilder();
        if (d < 0) {
            out.append('-');
        }
        if (exponent < -4 || exponent >= 16) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                out.append('0');
            }
            out.append(abs);
        } else if (exponent >= 0) {
            if (digits.length() <= exponent + 1) {
                out.append(digits).append("0".repeat(exponent + 1 - digits.length())).append(".0");
            } else {
                out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
            }
        } else {
            out.append("0.").append("0".repeat(-exponent - 1)).append(digits);
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- equality and ordering

    static boolean eq(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                return toDouble(a) == toDouble(b);
            }
            return toLong(a) == toLong(b);
        }
        if (a instanceof String && b instanceof String) {
            return a.equals(b);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            return (a instanceof JinjaValues.Range) == (b instanceof JinjaValues.Range) && listEq(la, lb);
        }
        if (a instanceof Tuple ta && b instanceof Tuple tb) {
            return listEq(ta.items(), tb.items());
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!mb.containsKey(e.getKey()) || !eq(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean listEq(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!eq(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Python ordering ({@code <} and friends); fails like Python on unorderable types. */
    static int compare(Object a, Object b, String op) {
        failIfUndefined(a);
        failIfUndefined(b);
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                double x = toDouble(a);
                double y = toDouble(b);
                if (Double.isNaN(x) || Double.isNaN(y)) {
                    return Integer.MIN_VALUE;
                }
                return Double.compare(x, y) == 0 ? 0 : (x < y ? -1 : 1);
            }
            return Long.compare(toLong(a), toLong(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return compareCodePoints(x, y);
        }
        if ((a instanceof List && b instanceof List && !(a instanceof JinjaValues.Range)
                && !(b instanceof JinjaValues.Range)) || (a instanceof Tuple && b instanceof Tuple)) {
            List<?> x = a instanceof Tuple t ? t.items() : (List<?>) a;
            List<?> y = b instanceof Tuple t ? t.items() : (List<?>) b;
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), op);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw new JinjaError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) {
                return a < b ? -1 : 1;
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        boolean xLeft = i < x.length();
        boolean yLeft = j < y.length();
        return xLeft == yLeft ? 0 : (xLeft ? 1 : -1);
    }

    // ---------------------------------------------------------------- numbers and arithmetic

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static long toLong(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) v).longValue();
    }

    static double toDouble(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) v).doubleValue();
    }

    static void failIfUndefined(Object v) {
        if (v instanceof Undefined u) {
            throw new JinjaError(u.hint);
        }
    }

    private static JinjaError unsupported(String op, Object a, Object b) {
        return new JinjaError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static JinjaError overflow() {
        return new JinjaError("integer overflow: Python integers are unbounded, chat templates here stop at 64 bits");
    }

    static Object add(Object a, Object b, JinjaRenderer r) {
        failIfUndefined(a);
        failIfUndefined(b);
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                return toDouble(a) + toDouble(b);
            }
            try {
                return Math.addExact(toLong(a), toLong(b));
            } catch (ArithmeticException e) {
                throw overflow();
            }
        }
        if (a instanceof String x && b instanceof String y) {
            r.checkSize((long) x.length() + y.length());
            return x + y;
        }
        if (a instanceof List<?> x && b instanceof List<?> y && !(a instanceof JinjaValues.Range)
                && !(b instanceof JinjaValues.Range)) {
            r.checkSize((long) x.size() + y.size());
            List<Object> out = new ArrayList<>(x);
            out.addAll(y);
            return Collections.unmodifiableList(out);
        }
        if (a instanceof Tuple x && b instanceof Tuple y) {
            List<Object> out = new ArrayList<>(x.items());
            out.addAll(y.items());
            return new Tuple(out);
        }
        if (a instanceof String) {
            throw new JinjaError("can only concatenate str (not \"" + typeName(b) + "\") to str");
        }
        throw unsupported("+", a, b);
    }

    static Object sub(Object a, Object b) {
        failIfUndefined(a);
        failIfUndefined(b);
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                return toDouble(a) - toDouble(b);
            }
            try {
                return Math.subtractExact(toLong(a), toLong(b));
            } catch (ArithmeticException e) {
                throw overflow();
            }
        }
        throw unsupported("-", a, b);
    }

    static Object mul(Object a, Object b, JinjaRenderer r) {
        failIfUndefined(a);
        failIfUndefined(b);
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                return toDouble(a) * toDouble(b);
            }
            try {
                return Math.multiplyExact(toLong(a), toLong(b));
            } catch (ArithmeticException e) {
                throw overflow();
            }
        }
        if ((a instanceof Long || a instanceof Boolean) && !(b instanceof Double) && !isNumber(b)) {
            return mul(b, a, r);
        }
        if (b instanceof Long || b instanceof Boolean) {
            long times = Math.max(0, toLong(b));
            if (a instanceof String s) {
                r.checkSize(s.length() * times);
                return s.repeat((int) times);
            }
            if (a instanceof List<?> list && !(a instanceof JinjaValues.Range)) {
                r.checkSize(list.size() * times);
                List<Object> out = new ArrayList<>();
                for (long i = 0; i < times; i++) {
                    out.addAll(list);
                }
                return Collections.unmodifiableList(out);
            }
            if (a instanceof Tuple t) {
                r.checkSize(t.items().size() * times);
                List<Object> out = new ArrayList<>();
                for (long i = 0; i < times; i++) {
                    out.addAll(t.items());
                }
                return new Tuple(out);
            }
        }
        throw unsupported("*", a, b);
    }

    static Object truediv(Object a, Object b) {
        failIfUndefined(a);
        failIfUndefined(b);
        if (isNumber(a) && isNumber(b)) {
            double y = toDouble(b);
            if (y == 0) {
                throw new JinjaError("division by zero");
            }
            if (!(a instanceof Double) && !(b instanceof Double)) {
                if (toLong(a) == 0) {
                    return y < 0 ? -0.0 : 0.0;
                }
                return new BigDecimal(toLong(a)).divide(new BigDecimal(toLong(b)), MathContext.DECIMAL128)
                        .doubleValue();
            }
            return toDouble(a) / y;
        }
        throw unsupported("/", a, b);
    }

    static Object floordiv(Object a, Object b) {
        failIfUndefined(a);
        failIfUndefined(b);
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                double y = toDouble(b);
                if (y == 0) {
                    throw new JinjaError("float floor division by zero");
                }
                return floatDivmod(toDouble(a), y)[0];
            }
            long y = toLong(b);
            if (y == 0) {
                throw new JinjaError("integer division or modulo by zero");
            }
            if (toLong(a) == Long.MIN_VALUE && y == -1) {
                throw overflow();
            }
            return Math.floorDiv(toLong(a), y);
        }
        throw unsupported("//", a, b);
    }

    static Object mod(Object a, Object b) {
        failIfUndefined(a);
        if (!(a instanceof String)) {
            failIfUndefined(b);
        }
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double) {
                double y = toDouble(b);
                if (y == 0) {
                    throw new JinjaError("float modulo");
                }
                return floatDivmod(toDouble(a), y)[1];
            }
            long y = toLong(b);
            if (y == 0) {
                throw new JinjaError("integer division or modulo by zero");
            }
            return Math.floorMod(toLong(a), y);
        }
        if (a instanceof String format) {
            return PyFormat.format(format, b);
        }
        throw unsupported("%", a, b);
    }

    /** CPython's {@code float_divmod}: floor quotient and remainder with the divisor's sign. */
    static double[] floatDivmod(double vx, double wx) {
        double mod = vx % wx;
        double div = (vx - mod) / wx;
        if (mod != 0) {
            if ((wx < 0) != (mod < 0)) {
                mod += wx;
                div -= 1.0;
            }
        } else {
            mod = Math.copySign(0.0, wx);
        }
        double floordiv;
        if (div != 0) {
            floordiv = Math.floor(div);
            if (div - floordiv > 0.5) {
                floordiv += 1.0;
            }
        } else {
            floordiv = Math.copySign(0.0, vx / wx);
        }
        return new double[] {floordiv, mod};
    }

    static Object pow(Object a, Object b) {
        failIfUndefined(a);
        failIfUndefined(b);
        if (isNumber(a) && isNumber(b)) {
            if (a instanceof Double || b instanceof Double || toLong(b) < 0) {
                if (toDouble(a) == 0 && toDouble(b) < 0) {
                    throw new JinjaError("0.0 cannot be raised to a negative power");
                }
                return Math.pow(toDouble(a), toDouble(b));
            }
            long base = toLong(a);
            long exponent = toLong(b);
            if (base == 0) {
                return exponent == 0 ? 1L : 0L;
            }
            if (base == 1) {
                return 1L;
            }
            if (base == -1) {
                return exponent % 2 == 0 ? 1L : -1L;
            }
            long result = 1;
            try {
                for (long i = 0; i < exponent; i++) {
                    result = Math.multiplyExact(result, base);
                }
            } catch (ArithmeticException e) {
                throw overflow();
            }
            return result;
        }
        throw unsupported("**", a, b);
    }

    static Object negate(Object a) {
        failIfUndefined(a);
        if (a instanceof Double d) {
            return -d;
        }
        if (isNumber(a)) {
            long x = toLong(a);
            if (x == Long.MIN_VALUE) {
                throw overflow();
            }
            return -x;
        }
        throw new JinjaError("bad operand type for unary -: '" + typeName(a) + "'");
    }

    static Object plus(Object a) {
        failIfUndefined(a);
        if (a instanceof Double) {
            return a;
        }
        if (isNumber(a)) {
            return toLong(a);
        }
        throw new JinjaError("bad operand type for unary +: '" + typeName(a) + "'");
    }

    // ---------------------------------------------------------------- containers

    /** Python {@code item in container}. */
    static boolean contains(Object container, Object item) {
        if (container instanceof Undefined) {
            return false;
        }
        if (container instanceof String s) {
            if (!(item instanceof String)) {
                failIfUndefined(item);
                throw new JinjaError("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return s.contains((String) item);
        }
        if (container instanceof Map<?, ?> m) {
            requireHashable(item);
            return m.containsKey(normalizeKey(item));
        }
        if (container instanceof List<?> || container instanceof Tuple || container instanceof Generator) {
            for (Object x : iterate(container)) {
                if (eq(x, item)) {
                    return true;
                }
            }
            return false;
        }
        throw new JinjaError("argument of type '" + typeName(container) + "' is not iterable");
    }

    /** Python iteration; dicts iterate their keys, strings their characters, Undefined nothing. */
    static List<Object> iterate(Object v) {
        if (v instanceof List<?> list) {
            return Collections.unmodifiableList(list);
        }
        if (v instanceof Tuple t) {
            return t.items();
        }
        if (v instanceof Map<?, ?> m) {
            return List.copyOf(m.keySet().stream().map(k -> (Object) k).toList());
        }
        if (v instanceof String s) {
            List<Object> chars = new ArrayList<>(s.length());
            s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
            return chars;
        }
        if (v instanceof Undefined) {
            return List.of();
        }
        if (v instanceof Generator g) {
            return g.consume();
        }
        if (v instanceof JinjaLoop) {
            throw new JinjaError("iterating a loop object (recursive loops) is not supported");
        }
        throw new JinjaError("'" + typeName(v) + "' object is not iterable");
    }

    static long length(Object v) {
        if (v instanceof String s) {
            return s.codePointCount(0, s.length());
        }
        if (v instanceof List<?> l) {
            return l.size();
        }
        if (v instanceof Tuple t) {
            return t.items().size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        if (v instanceof Undefined) {
            return 0;
        }
        if (v instanceof JinjaLoop loop) {
            return loop.length();
        }
        throw new JinjaError("object of type '" + typeName(v) + "' has no len()");
    }

    /** Fails like Python for values that cannot be dict keys or set members. */
    static void requireHashable(Object v) {
        if ((v instanceof List && !(v instanceof JinjaValues.Range)) || v instanceof Map || v instanceof Namespace
                || v instanceof JinjaLoop) {
            throw new JinjaError("unhashable type: '" + typeName(v) + "'");
        }
        if (v instanceof Tuple t) {
            for (Object item : t.items()) {
                requireHashable(item);
            }
        }
    }

    /** Python hashing treats {@code True}, {@code 1} and {@code 1.0} as one key; integral keys become Long. */
    static Object normalizeKey(Object key) {
        if (key instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (key instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.0e18) {
            return (long) d.doubleValue();
        }
        return key;
    }

    /** Python's {@code slice.indices(length)}: {start, stop, step} clamped to the sequence. */
    static long[] sliceBounds(long length, Slice slice) {
        long step = slice.step() == null ? 1 : sliceBound(slice.step());
        if (step == 0) {
            throw new JinjaError("slice step cannot be zero");
        }
        long start;
        long stop;
        if (step > 0) {
            start = slice.start() == null ? 0 : clamp(sliceBound(slice.start()), length, 0, length);
            stop = slice.stop() == null ? length : clamp(sliceBound(slice.stop()), length, 0, length);
        } else {
            start = slice.start() == null ? length - 1 : clamp(sliceBound(slice.start()), length, -1, length - 1);
            stop = slice.stop() == null ? -1 : clamp(sliceBound(slice.stop()), length, -1, length - 1);
        }
        return new long[] {start, stop, step};
    }

    /** Resolves Python slice bounds for a sequence of {@code length}; returns the selected indices. */
    static int[] sliceIndices(long length, Slice slice) {
        long[] bounds = sliceBounds(length, slice);
        long start = bounds[0];
        long stop = bounds[1];
        long step = bounds[2];
        List<Integer> indices = new ArrayList<>();
        if (step > 0) {
            for (long i = start; i < stop; i += step) {
                indices.add((int) i);
            }
        } else {
            for (long i = start; i > stop; i += step) {
                indices.add((int) i);
            }
        }
        return indices.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long clamp(long index, long length, long low, long high) {
        if (index < 0) {
            index += length;
        }
        return Math.max(low, Math.min(high, index));
    }

    private static long sliceBound(Object bound) {
        failIfUndefined(bound);
        if (bound instanceof Long || bound instanceof Boolean) {
            return toLong(bound);
        }
        throw new JinjaError("slice indices must be integers or None, not " + typeName(bound));
    }

    /** Code points of a string, for Python's code-point indexing. */
    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }

    static String fromCodePoints(int[] cps, int[] indices) {
        StringBuilder out = new StringBuilder(indices.length);
        for (int i : indices) {
            out.appendCodePoint(cps[i]);
        }
        return out.toString();
    }

    /** Python's {@code str.isspace()} for one code point (also what {@code \s} matches in Python regexes). */
    static boolean isSpace(int cp) {
        switch (cp) {
            case '\t', '\n', 0x0B, '\f', '\r', 0x1C, 0x1D, 0x1E, 0x1F, ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029,
                    0x202F, 0x205F, 0x3000:
                return true;
            default:
                return cp >= 0x2000 && cp <= 0x200A;
        }
    }
}
