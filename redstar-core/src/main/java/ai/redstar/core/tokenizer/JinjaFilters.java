package ai.redstar.core.tokenizer;

import ai.redstar.core.tokenizer.JinjaValues.Arguments;
import ai.redstar.core.tokenizer.JinjaValues.Function;
import ai.redstar.core.tokenizer.JinjaValues.Generator;
import ai.redstar.core.tokenizer.JinjaValues.JinjaError;
import ai.redstar.core.tokenizer.JinjaValues.Tuple;
import ai.redstar.core.tokenizer.JinjaValues.Undefined;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The filters and tests of Jinja 3.1 that chat templates use, with {@code tojson} replaced by transformers'
 * version ({@code json.dumps} with {@code ensure_ascii=False}, no HTML escaping, optional indent, separators and
 * sort_keys). A filter or test not listed here is a parse error, as an unknown one is in Jinja.
 */
final class JinjaFilters {
    @FunctionalInterface
    interface Filter {
        Object apply(JinjaRenderer renderer, Object value, Arguments args);
    }

    @FunctionalInterface
    interface Test {
        boolean test(JinjaRenderer renderer, Object value, Arguments args);
    }

    private static final Map<String, Filter> FILTERS = new HashMap<>();
    private static final Map<String, Test> TESTS = new HashMap<>();

    private JinjaFilters() {
    }

    /** Filters Jinja marks {@code pass_context}: never folded at compile time. */
    static boolean needsContext(String name) {
        return name.equals("map") || name.equals("select") || name.equals("reject") || name.equals("selectattr")
                || name.equals("rejectattr");
    }

    static Filter filter(String name) {
        return FILTERS.get(name);
    }

    static Test test(String name) {
        return TESTS.get(name);
    }

    static {
        FILTERS.put("abs", (r, v, a) -> {
            a.check(0);
            PyOps.failIfUndefined(v);
            if (v instanceof Double d) {
                return Math.abs(d);
            }
            if (PyOps.isNumber(v)) {
                long x = PyOps.toLong(v);
                if (x == Long.MIN_VALUE) {
                    throw new JinjaError("integer overflow");
                }
                return Math.abs(x);
            }
            throw new JinjaError("bad operand type for abs(): '" + PyOps.typeName(v) + "'");
        });
        FILTERS.put("attr", (r, v, a) -> {
            a.check(1);
            return JinjaMethods.pythonAttribute(v, JinjaMethods.string(a.required(0, "name"), "attribute name"));
        });
        FILTERS.put("capitalize", (r, v, a) -> {
            a.check(0);
            return JinjaMethods.capitalize(PyOps.str(v));
        });
        Filter length = (r, v, a) -> {
            a.check(0);
            return PyOps.length(v);
        };
        FILTERS.put("length", length);
        FILTERS.put("count", length);
        Filter defaultFilter = (r, v, a) -> {
            a.check(2, "default_value", "boolean");
            Object fallback = a.get(0, "default_value", "");
            boolean booleanMode = PyOps.truthy(a.get(1, "boolean", false));
            if (v instanceof Undefined || (booleanMode && !PyOps.truthy(v))) {
                return fallback;
            }
            return v;
        };
        FILTERS.put("default", defaultFilter);
        FILTERS.put("d", defaultFilter);
        FILTERS.put("dictsort", (r, v, a) -> {
            a.check(3, "case_sensitive", "by", "reverse");
            boolean caseSensitive = PyOps.truthy(a.get(0, "case_sensitive", false));
            Object by = a.get(1, "by", "key");
            boolean reverse = PyOps.truthy(a.get(2, "reverse", false));
            if (!(v instanceof Map<?, ?> map)) {
                throw new JinjaError("dictsort needs a mapping, not " + PyOps.typeName(v));
            }
            int position;
            if ("key".equals(by)) {
                position = 0;
            } else if ("value".equals(by)) {
                position = 1;
            } else {
                throw new JinjaError("You can only sort by either 'key' or 'value'");
            }
            List<Object> items = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                items.add(Tuple.of(e.getKey(), e.getValue()));
            }
            sort(items, item -> fold(((Tuple) item).items().get(position), caseSensitive), reverse);
            return Collections.unmodifiableList(items);
        });
        Filter escape = (r, v, a) -> {
            a.check(0);
            return PyOps.str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("\"", "&#34;").replace("'", "&#39;");
        };
        FILTERS.put("escape", escape);
        FILTERS.put("e", escape);
        FILTERS.put("first", (r, v, a) -> {
            a.check(0);
            List<Object> items = PyOps.iterate(v);
            return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
        });
        FILTERS.put("last", (r, v, a) -> {
            a.check(0);
            if (v instanceof Generator) {
                throw new JinjaError("'generator' object is not reversible");
            }
            List<Object> items = PyOps.iterate(v);
            return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.get(items.size() - 1);
        });
        FILTERS.put("float", (r, v, a) -> {
            a.check(1, "default");
            Object fallback = a.get(0, "default", 0.0);
            PyOps.failIfUndefined(v);
            if (v instanceof String s) {
                try {
                    return Double.parseDouble(JinjaMethods.strip(s, null, true, true).replace("_", ""));
                } catch (NumberFormatException e) {
                    return fallback;
                }
            }
            return PyOps.isNumber(v) ? PyOps.toDouble(v) : fallback;
        });
        FILTERS.put("int", (r, v, a) -> {
            a.check(2, "default", "base");
            Object fallback = a.get(0, "default", 0L);
            long base = JinjaMethods.integer(a.get(1, "base", 10L), "base");
            PyOps.failIfUndefined(v);
            if (v instanceof String s) {
                String text = JinjaMethods.strip(s, null, true, true).replace("_", "");
                try {
                    return Long.parseLong(text, (int) base);
                } catch (NumberFormatException e) {
                    try {
                        double d = Double.parseDouble(text);
                        if (Double.isFinite(d)) {
                            return (long) d;
                        }
                    } catch (NumberFormatException ignored) {
                        // falls through to the default, as Jinja's int filter does
                    }
                    return fallback;
                }
            }
            if (v instanceof Double d) {
                return Double.isFinite(d) ? (Object) (long) d.doubleValue() : fallback;
            }
            return PyOps.isNumber(v) ? PyOps.toLong(v) : fallback;
        });
        FILTERS.put("items", (r, v, a) -> {
            a.check(0);
            if (v instanceof Undefined) {
                return new Generator(List.of(), "generator");
            }
            if (!(v instanceof Map<?, ?> map)) {
                throw new JinjaError("Can only get item pairs from a mapping.");
            }
            List<Object> items = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                items.add(Tuple.of(e.getKey(), e.getValue()));
            }
            return new Generator(items, "generator");
        });
        FILTERS.put("join", (r, v, a) -> {
            a.check(2, "d", "attribute");
            String separator = PyOps.str(a.get(0, "d", ""));
            Object attribute = a.get(1, "attribute", null);
            StringBuilder out = new StringBuilder();
            boolean first = true;
            for (Object item : PyOps.iterate(v)) {
                if (!first) {
                    out.append(separator);
                }
                first = false;
                out.append(PyOps.str(attribute == null ? item : attributeOf(item, attribute, null)));
                r.checkSize(out.length());
            }
            return out.toString();
        });
        FILTERS.put("list", (r, v, a) -> {
            a.check(0);
            return Collections.unmodifiableList(new ArrayList<>(PyOps.iterate(v)));
        });
        FILTERS.put("lower", (r, v, a) -> {
            a.check(0);
            return PyOps.str(v).toLowerCase(Locale.ROOT);
        });
        FILTERS.put("upper", (r, v, a) -> {
            a.check(0);
            return PyOps.str(v).toUpperCase(Locale.ROOT);
        });
        FILTERS.put("map", (r, v, a) -> {
            List<Object> out = new ArrayList<>();
            if (!PyOps.truthy(v)) {
                return new Generator(out, "generator");
            }
            if (a.positional.isEmpty() && a.keywords.containsKey("attribute")) {
                a.check(0, "attribute", "default");
                Object attribute = a.keywords.get("attribute");
                Object fallback = a.keywords.get("default");
                for (Object item : PyOps.iterate(v)) {
                    out.add(attributeOf(item, attribute, fallback));
                }
            } else {
                if (a.positional.isEmpty()) {
                    throw new JinjaError("map requires a filter argument");
                }
                String name = JinjaMethods.string(a.positional.get(0), "filter name");
                Filter f = filter(name);
                if (f == null) {
                    throw new JinjaError("No filter named '" + name + "'.");
                }
                Arguments rest = new Arguments(name, a.positional.subList(1, a.positional.size()), a.keywords);
                for (Object item : PyOps.iterate(v)) {
                    out.add(f.apply(r, item, rest));
                }
            }
            return new Generator(out, "generator");
        });
        FILTERS.put("max", (r, v, a) -> extreme(v, a, true));
        FILTERS.put("min", (r, v, a) -> extreme(v, a, false));
        FILTERS.put("select", (r, v, a) -> selectOrReject(r, v, a, false, true));
        FILTERS.put("reject", (r, v, a) -> selectOrReject(r, v, a, false, false));
        FILTERS.put("selectattr", (r, v, a) -> selectOrReject(r, v, a, true, true));
        FILTERS.put("rejectattr", (r, v, a) -> selectOrReject(r, v, a, true, false));
        FILTERS.put("replace", (r, v, a) -> {
            a.check(3);
            String s = PyOps.str(v);
            String result = JinjaMethods.replace(s, PyOps.str(a.required(0, "old")), PyOps.str(a.required(1, "new")),
                    a.get(2, "count", null) == null ? -1 : JinjaMethods.integer(a.get(2, "count", null), "count"));
            r.checkSize(result.length());
            return result;
        });
        FILTERS.put("reverse", (r, v, a) -> {
            a.check(0);
            if (v instanceof String s) {
                return new StringBuilder(s).reverse().toString();
            }
            List<Object> items = new ArrayList<>(PyOps.iterate(v));
            Collections.reverse(items);
            if (v instanceof Generator) {
                return Collections.unmodifiableList(items);
            }
            return new Generator(items, "reverseiterator");
        });
        FILTERS.put("round", (r, v, a) -> {
            a.check(2, "precision", "method");
            long precision = JinjaMethods.integer(a.get(0, "precision", 0L), "precision");
            Object method = a.get(1, "method", "common");
            PyOps.failIfUndefined(v);
            if (!PyOps.isNumber(v)) {
                throw new JinjaError("type " + PyOps.typeName(v) + " doesn't define __round__ method");
            }
            RoundingMode mode;
            if ("common".equals(method)) {
                mode = RoundingMode.HALF_EVEN;
            } else if ("ceil".equals(method)) {
                mode = RoundingMode.CEILING;
            } else if ("floor".equals(method)) {
                mode = RoundingMode.FLOOR;
            } else {
                throw new JinjaError("method must be common, ceil or floor");
            }
            if (!(v instanceof Double) && "common".equals(method)) {
                return PyOps.toLong(v);
            }
            double d = PyOps.toDouble(v);
            if (!Double.isFinite(d)) {
                return d;
            }
            return new BigDecimal(d).setScale((int) Math.max(-300, Math.min(300, precision)), mode).doubleValue();
        });
        FILTERS.put("safe", (r, v, a) -> {
            a.check(0);
            return PyOps.str(v);
        });
        FILTERS.put("sort", (r, v, a) -> {
            a.check(3, "reverse", "case_sensitive", "attribute");
            boolean reverse = PyOps.truthy(a.get(0, "reverse", false));
            boolean caseSensitive = PyOps.truthy(a.get(1, "case_sensitive", false));
            Object attribute = a.get(2, "attribute", null);
            List<Object> items = new ArrayList<>(PyOps.iterate(v));
            // Jinja sorts by a one-element list key, so equal items (even undefined ones) are never ordered
            java.util.function.Function<Object, Object> key =
                    item -> fold(attribute == null ? item : attributeOf(item, attribute, null), caseSensitive);
            Comparator<Object> order = (x, y) -> {
                Object kx = key.apply(x);
                Object ky = key.apply(y);
                return PyOps.eq(kx, ky) ? 0 : PyOps.compare(kx, ky, "<");
            };
            items.sort(reverse ? order.reversed() : order);
            return Collections.unmodifiableList(items);
        });
        FILTERS.put("string", (r, v, a) -> {
            a.check(0);
            return PyOps.str(v);
        });
        FILTERS.put("sum", (r, v, a) -> {
            a.check(2, "attribute", "start");
            Object attribute = a.get(0, "attribute", null);
            Object total = a.get(1, "start", 0L);
            for (Object item : PyOps.iterate(v)) {
                total = PyOps.add(total, attribute == null ? item : attributeOf(item, attribute, null), r);
            }
            return total;
        });
        FILTERS.put("title", (r, v, a) -> {
            a.check(0);
            return jinjaTitle(PyOps.str(v));
        });
        FILTERS.put("tojson", (r, v, a) -> {
            a.check(4, "ensure_ascii", "indent", "separators", "sort_keys");
            boolean ensureAscii = PyOps.truthy(a.get(0, "ensure_ascii", false));
            Object indent = a.get(1, "indent", null);
            Object separators = a.get(2, "separators", null);
            boolean sortKeys = PyOps.truthy(a.get(3, "sort_keys", false));
            String json = PyJson.dumps(v, ensureAscii, indent, separators, sortKeys);
            r.checkSize(json.length());
            return json;
        });
        FILTERS.put("trim", (r, v, a) -> {
            a.check(1, "chars");
            Object chars = a.get(0, "chars", null);
            return JinjaMethods.strip(PyOps.str(v), chars == null ? null : PyOps.str(chars), true, true);
        });
        FILTERS.put("unique", (r, v, a) -> {
            a.check(2, "case_sensitive", "attribute");
            boolean caseSensitive = PyOps.truthy(a.get(0, "case_sensitive", false));
            Object attribute = a.get(1, "attribute", null);
            List<Object> seen = new ArrayList<>();
            List<Object> out = new ArrayList<>();
            for (Object item : PyOps.iterate(v)) {
                Object key = fold(attribute == null ? item : attributeOf(item, attribute, null), caseSensitive);
                PyOps.requireHashable(key);
                boolean duplicate = false;
                for (Object s : seen) {
                    if (PyOps.eq(s, key)) {
                        duplicate = true;
                        break;
                    }
                }
                if (!duplicate) {
                    seen.add(key);
                    out.add(item);
                }
            }
            return new Generator(out, "generator");
        });
        FILTERS.put("indent", (r, v, a) -> {
            a.check(3, "width", "first", "blank");
            Object width = a.get(0, "width", 4L);
            String indentation = width instanceof String w ? w : " ".repeat((int) Math.max(0,
                    Math.min(1000, JinjaMethods.integer(width, "width"))));
            boolean first = PyOps.truthy(a.get(1, "first", false));
            boolean blank = PyOps.truthy(a.get(2, "blank", false));
            PyOps.failIfUndefined(v);
            if (!(v instanceof String)) {
                throw new JinjaError("unsupported operand type(s) for +=: '" + PyOps.typeName(v) + "' and 'str'");
            }
            String s = v + "\n";
            List<Object> lines = JinjaMethods.split(s, "\n", -1, false);
            StringBuilder out = new StringBuilder();
            List<Object> body = lines.subList(0, lines.size() - 1);
            for (int i = 0; i < body.size(); i++) {
                String line = (String) body.get(i);
                if (i > 0) {
                    out.append('\n');
                }
                boolean indentThis = (i > 0 || first) && (blank || !JinjaMethods.strip(line, null, true, true)
                        .isEmpty());
                if (indentThis) {
                    out.append(indentation);
                }
                out.append(line);
            }
            r.checkSize(out.length());
            return out.toString();
        });
        FILTERS.put("wordcount", (r, v, a) -> {
            a.check(0);
            long n = 0;
            boolean inWord = false;
            for (int cp : PyOps.codePoints(PyOps.str(v))) {
                boolean word = Character.isLetterOrDigit(cp) || cp == '_';
                if (word && !inWord) {
                    n++;
                }
                inWord = word;
            }
            return n;
        });

        Test defined = (r, v, a) -> !(v instanceof Undefined);
        TESTS.put("defined", defined);
        TESTS.put("undefined", (r, v, a) -> v instanceof Undefined);
        TESTS.put("none", (r, v, a) -> v == null);
        TESTS.put("boolean", (r, v, a) -> v instanceof Boolean);
        TESTS.put("true", (r, v, a) -> Boolean.TRUE.equals(v));
        TESTS.put("false", (r, v, a) -> Boolean.FALSE.equals(v));
        TESTS.put("integer", (r, v, a) -> v instanceof Long);
        TESTS.put("float", (r, v, a) -> v instanceof Double);
        TESTS.put("number", (r, v, a) -> PyOps.isNumber(v));
        TESTS.put("string", (r, v, a) -> v instanceof String);
        TESTS.put("mapping", (r, v, a) -> v instanceof Map);
        TESTS.put("iterable", (r, v, a) -> v instanceof String || v instanceof List || v instanceof Tuple
                || v instanceof Map || v instanceof Generator || v instanceof Undefined || v instanceof JinjaLoop);
        TESTS.put("sequence", (r, v, a) -> v instanceof String || v instanceof List || v instanceof Tuple
                || v instanceof Map || v instanceof Undefined);
        TESTS.put("callable", (r, v, a) -> v instanceof Function);
        TESTS.put("escaped", (r, v, a) -> false);
        TESTS.put("odd", (r, v, a) -> PyOps.eq(PyOps.mod(v, 2L), 1L));
        TESTS.put("even", (r, v, a) -> PyOps.eq(PyOps.mod(v, 2L), 0L));
        TESTS.put("divisibleby", (r, v, a) -> {
            a.check(1);
            return PyOps.truthy(PyOps.eq(PyOps.mod(v, a.required(0, "num")), 0L));
        });
        TESTS.put("lower", (r, v, a) -> {
            String s = PyOps.str(v);
            return !s.equals(s.toUpperCase(Locale.ROOT)) && s.equals(s.toLowerCase(Locale.ROOT));
        });
        TESTS.put("upper", (r, v, a) -> {
            String s = PyOps.str(v);
            return !s.equals(s.toLowerCase(Locale.ROOT)) && s.equals(s.toUpperCase(Locale.ROOT));
        });
        TESTS.put("sameas", (r, v, a) -> {
            a.check(1);
            Object other = a.required(0, "other");
            if (v == null || other == null) {
                return v == other;
            }
            if (v instanceof Boolean || v instanceof Long && ((Long) v) >= -5 && ((Long) v) <= 256) {
                return v.getClass() == other.getClass() && v.equals(other);
            }
            return v == other;
        });
        TESTS.put("in", (r, v, a) -> {
            a.check(1);
            return PyOps.contains(a.required(0, "seq"), v);
        });
        TESTS.put("filter", (r, v, a) -> v instanceof String s && filter(s) != null);
        TESTS.put("test", (r, v, a) -> v instanceof String s && test(s) != null);
        comparison("==", "eq", "equalto");
        comparison("!=", "ne");
        comparison(">", "gt", "greaterthan");
        comparison(">=", "ge");
        comparison("<", "lt", "lessthan");
        comparison("<=", "le");
    }

    private static void comparison(String op, String... aliases) {
        Test t = (r, v, a) -> {
            a.check(1);
            Object other = a.required(0, "other");
            return JinjaNode.compare(op, v, other);
        };
        TESTS.put(op, t);
        for (String alias : aliases) {
            TESTS.put(alias, t);
        }
    }

    /** {@code make_attrgetter}: a dotted path of items ("a.b.0"), each looked up like {@code obj[part]}. */
    static Object attributeOf(Object item, Object attribute, Object fallback) {
        Object value = item;
        List<Object> parts = new ArrayList<>();
        if (attribute instanceof String path) {
            for (Object part : JinjaMethods.split(path, ".", -1, false)) {
                String p = (String) part;
                parts.add(!p.isEmpty() && p.chars().allMatch(Character::isDigit) && p.length() < 18
                        ? (Object) Long.parseLong(p) : p);
            }
        } else {
            parts.add(attribute);
        }
        for (Object part : parts) {
            value = JinjaMethods.getitem(value, part);
            if (value instanceof Undefined && fallback != null) {
                return fallback;
            }
        }
        return value;
    }

    private static Object fold(Object value, boolean caseSensitive) {
        return !caseSensitive && value instanceof String s ? s.toLowerCase(Locale.ROOT) : value;
    }

    private static void sort(List<Object> items, java.util.function.Function<Object, Object> key, boolean reverse) {
        Comparator<Object> order = (x, y) -> PyOps.compare(key.apply(x), key.apply(y), "<");
        items.sort(reverse ? order.reversed() : order);
    }

    private static Object extreme(Object v, Arguments a, boolean max) {
        a.check(2, "case_sensitive", "attribute");
        boolean caseSensitive = PyOps.truthy(a.get(0, "case_sensitive", false));
        Object attribute = a.get(1, "attribute", null);
        List<Object> items = PyOps.iterate(v);
        if (items.isEmpty()) {
            return new Undefined("No aggregated item, sequence was empty.");
        }
        Object best = items.get(0);
        for (Object item : items.subList(1, items.size())) {
            Object x = fold(attribute == null ? item : attributeOf(item, attribute, null), caseSensitive);
            Object b = fold(attribute == null ? best : attributeOf(best, attribute, null), caseSensitive);
            int c = PyOps.compare(x, b, max ? ">" : "<");
            if (max ? c > 0 : c < 0) {
                best = item;
            }
        }
        return best;
    }

    private static Object selectOrReject(JinjaRenderer r, Object v, Arguments a, boolean byAttribute,
            boolean select) {
        if (!PyOps.truthy(v)) {
            return new Generator(new ArrayList<>(), "generator");
        }
        List<Object> args = a.positional;
        int offset = 0;
        Object attribute = null;
        if (byAttribute) {
            if (args.isEmpty()) {
                throw new JinjaError("Missing parameter for attribute name");
            }
            attribute = args.get(0);
            offset = 1;
        }
        Test test = null;
        Arguments testArgs = null;
        if (args.size() > offset) {
            String name = JinjaMethods.string(args.get(offset), "test name");
            test = test(name);
            if (test == null) {
                throw new JinjaError("No test named '" + name + "'.");
            }
            testArgs = new Arguments(name, args.subList(offset + 1, args.size()), a.keywords);
        }
        List<Object> out = new ArrayList<>();
        for (Object item : PyOps.iterate(v)) {
            Object subject = byAttribute ? attributeOf(item, attribute, null) : item;
            boolean passes = test == null ? PyOps.truthy(subject) : test.test(r, subject, testArgs);
            if (passes == select) {
                out.add(item);
            }
        }
        return new Generator(out, "generator");
    }

    /** Jinja's {@code title} filter: words split at whitespace and brackets, each capitalised. */
    private static String jinjaTitle(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int start = i;
            boolean separator = isTitleSeparator(s.codePointAt(i));
            while (i < s.length() && isTitleSeparator(s.codePointAt(i)) == separator) {
                i += Character.charCount(s.codePointAt(i));
            }
            String item = s.substring(start, i);
            if (separator) {
                out.append(item);
            } else {
                int first = item.codePointAt(0);
                out.append(new String(Character.toChars(first)).toUpperCase(Locale.ROOT))
                        .append(item.substring(Character.charCount(first)).toLowerCase(Locale.ROOT));
            }
        }
        return out.toString();
    }

    private static boolean isTitleSeparator(int cp) {
        return PyOps.isSpace(cp) || cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<';
    }
}
