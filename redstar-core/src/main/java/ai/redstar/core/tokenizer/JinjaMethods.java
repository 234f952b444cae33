package ai.redstar.core.tokenizer;

import ai.redstar.core.tokenizer.JinjaValues.Arguments;
import ai.redstar.core.tokenizer.JinjaValues.Function;
import ai.redstar.core.tokenizer.JinjaValues.JinjaError;
import ai.redstar.core.tokenizer.JinjaValues.Namespace;
import ai.redstar.core.tokenizer.JinjaValues.Slice;
import ai.redstar.core.tokenizer.JinjaValues.Tuple;
import ai.redstar.core.tokenizer.JinjaValues.Undefined;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Attribute and item access as Jinja's immutable sandbox does it, and the Python methods of {@code str},
 * {@code dict} and {@code list} that chat templates call. Methods that would modify a value are refused, as in
 * {@code ImmutableSandboxedEnvironment}.
 */
final class JinjaMethods {
    private static final Set<String> UNSAFE_DICT = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Set<String> UNSAFE_LIST =
            Set.of("append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort");

    private JinjaMethods() {
    }

    static String objectDescription(Object obj) {
        if (obj == null) {
            return "None";
        }
        return PyOps.typeName(obj) + " object";
    }

    private static Undefined missingAttribute(Object obj, String name) {
        return new Undefined("'" + objectDescription(obj) + "' has no attribute '" + name + "'");
    }

    private static Undefined unsafe(Object obj, String name) {
        return new Undefined("access to attribute '" + name + "' of '" + PyOps.typeName(obj)
                + "' object is unsafe (chat templates run in an immutable sandbox)");
    }

    /** {@code obj.name}: the Python attribute first, then the item, then Undefined. */
    static Object getattr(Object obj, String name) {
        PyOps.failIfUndefined(obj);
        if (name.startsWith("_")) {
            return unsafe(obj, name);
        }
        if (obj instanceof Map<?, ?> map) {
            Object method = dictMethod(map, name);
            if (method != null) {
                return method;
            }
            if (UNSAFE_DICT.contains(name)) {
                return unsafe(obj, name);
            }
            if (map.containsKey(name)) {
                return map.get(name);
            }
            return missingAttribute(obj, name);
        }
        if (obj instanceof String s) {
            Object method = stringMethod(s, name);
            return method != null ? method : missingAttribute(obj, name);
        }
        if (obj instanceof List<?> || obj instanceof Tuple) {
            List<?> items = obj instanceof Tuple t ? t.items() : (List<?>) obj;
            Object method = sequenceMethod(items, name);
            if (method != null) {
                return method;
            }
            if (obj instanceof List<?> && !(obj instanceof JinjaValues.Range) && UNSAFE_LIST.contains(name)) {
                return unsafe(obj, name);
            }
            return missingAttribute(obj, name);
        }
        if (obj instanceof Namespace ns) {
            return ns.attributes.containsKey(name) ? ns.attributes.get(name) : missingAttribute(obj, name);
        }
        if (obj instanceof JinjaLoop loop) {
            return loop.attribute(name);
        }
        return missingAttribute(obj, name);
    }

    /** Python's {@code getattr(obj, name)} without the item fallback (Jinja's {@code attr} filter). */
    static Object pythonAttribute(Object obj, String name) {
        PyOps.failIfUndefined(obj);
        if (obj instanceof Map<?, ?> map) {
            if (name.startsWith("_")) {
                return unsafe(obj, name);
            }
            Object method = dictMethod(map, name);
            if (method != null) {
                return method;
            }
            return UNSAFE_DICT.contains(name) ? unsafe(obj, name) : missingAttribute(obj, name);
        }
        return getattr(obj, name);
    }

    /** {@code obj[key]}: the item first, then (for a string key) the attribute, then Undefined. */
    static Object getitem(Object obj, Object key) {
        PyOps.failIfUndefined(obj);
        if (key instanceof Slice slice) {
            return slice(obj, slice);
        }
        if (obj instanceof Map<?, ?> map) {
            Object normalized = PyOps.normalizeKey(key);
            if (map.containsKey(normalized)) {
                return map.get(normalized);
            }
        } else if (obj instanceof List<?> || obj instanceof Tuple || obj instanceof String) {
            if (key instanceof Long || key instanceof Boolean) {
                long index = PyOps.toLong(key);
                if (obj instanceof String s) {
                    int[] cps = PyOps.codePoints(s);
                    long i = index < 0 ? index + cps.length : index;
                    if (i >= 0 && i < cps.length) {
                        return new String(Character.toChars(cps[(int) i]));
                    }
                } else {
                    List<?> items = obj instanceof Tuple t ? t.items() : (List<?>) obj;
                    long i = index < 0 ? index + items.size() : index;
                    if (i >= 0 && i < items.size()) {
                        return items.get((int) i);
                    }
                }
                return new Undefined("'" + objectDescription(obj) + "' has no element " + PyOps.repr(key));
            }
        }
        if (key instanceof String name) {
            return getattr(obj, name);
        }
        return new Undefined("'" + objectDescription(obj) + "' has no element " + PyOps.repr(key));
    }

    /** {@code obj[a:b:c]} as plain Python evaluates it: non-sequences fail. */
    static Object sliceStrict(Object obj, Slice slice) {
        PyOps.failIfUndefined(obj);
        if (obj instanceof String || obj instanceof List<?> || obj instanceof Tuple) {
            return slice(obj, slice);
        }
        if (obj instanceof Map<?, ?>) {
            throw new JinjaError("unhashable type: 'slice'");
        }
        throw new JinjaError("'" + PyOps.typeName(obj) + "' object is not subscriptable");
    }

    private static Object slice(Object obj, Slice slice) {
        if (obj instanceof String s) {
            int[] cps = PyOps.codePoints(s);
            return PyOps.fromCodePoints(cps, PyOps.sliceIndices(cps.length, slice));
        }
        if (obj instanceof JinjaValues.Range range) {
            long[] b = PyOps.sliceBounds(range.size(), slice);
            return new JinjaValues.Range(range.start + b[0] * range.step, range.start + b[1] * range.step,
                    range.step * b[2]);
        }
        if (obj instanceof List<?> || obj instanceof Tuple) {
            List<?> items = obj instanceof Tuple t ? t.items() : (List<?>) obj;
            List<Object> out = new ArrayList<>();
            for (int i : PyOps.sliceIndices(items.size(), slice)) {
                out.add(items.get(i));
            }
            return obj instanceof Tuple ? new Tuple(out) : Collections.unmodifiableList(out);
        }
        // Jinja turns the TypeError of obj[slice] into an undefined value
        return new Undefined("'" + objectDescription(obj) + "' has no element " + PyOps.repr(slice));
    }

    // ---------------------------------------------------------------- dict and list methods

    private static Object dictMethod(Map<?, ?> map, String name) {
        switch (name) {
            case "items":
                return method(name, args -> {
                    args.check(0);
                    List<Object> items = new ArrayList<>();
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        items.add(Tuple.of(e.getKey(), e.getValue()));
                    }
                    return Collections.unmodifiableList(items);
                });
            case "keys":
                return method(name, args -> {
                    args.check(0);
                    return List.copyOf(new ArrayList<Object>(map.keySet()));
                });
            case "values":
                return method(name, args -> {
                    args.check(0);
                    return Collections.unmodifiableList(new ArrayList<Object>(map.values()));
                });
            case "get":
                return method(name, args -> {
                    args.check(2);
                    Object key = PyOps.normalizeKey(args.required(0, "key"));
                    return map.containsKey(key) ? map.get(key) : args.get(1, null, null);
                });
            case "copy":
                return method(name, args -> {
                    args.check(0);
                    return map;
                });
            default:
                return null;
        }
    }

    private static Object sequenceMethod(List<?> items, String name) {
        switch (name) {
            case "index":
                return method(name, args -> {
                    args.check(1);
                    Object x = args.required(0, "value");
                    for (int i = 0; i < items.size(); i++) {
                        if (PyOps.eq(items.get(i), x)) {
                            return (long) i;
                        }
                    }
                    throw new JinjaError(PyOps.repr(x) + " is not in list");
                });
            case "count":
                return method(name, args -> {
                    args.check(1);
                    Object x = args.required(0, "value");
                    return items.stream().filter(item -> PyOps.eq(item, x)).count();
                });
            case "copy":
                return method(name, args -> {
                    args.check(0);
                    return items;
                });
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------- str methods

    private static Object stringMethod(String s, String name) {
        switch (name) {
            case "strip":
                return method(name, args -> {
                    args.check(1);
                    return strip(s, optionalString(args.get(0, "chars", null), "chars"), true, true);
                });
            case "lstrip":
                return method(name, args -> {
                    args.check(1);
                    return strip(s, optionalString(args.get(0, "chars", null), "chars"), true, false);
                });
            case "rstrip":
                return method(name, args -> {
                    args.check(1);
                    return strip(s, optionalString(args.get(0, "chars", null), "chars"), false, true);
                });
            case "split":
                return method(name, args -> {
                    args.check(2, "sep", "maxsplit");
                    return split(s, optionalString(args.get(0, "sep", null), "sep"),
                            integer(args.get(1, "maxsplit", -1L), "maxsplit"), false);
                });
            case "rsplit":
                return method(name, args -> {
                    args.check(2, "sep", "maxsplit");
                    return split(s, optionalString(args.get(0, "sep", null), "sep"),
                            integer(args.get(1, "maxsplit", -1L), "maxsplit"), true);
                });
            case "splitlines":
                return method(name, args -> {
                    args.check(1, "keepends");
                    return splitlines(s, PyOps.truthy(args.get(0, "keepends", false)));
                });
            case "startswith":
            case "endswith":
                return method(name, args -> {
                    args.check(1);
                    Object affix = args.required(0, name.equals("startswith") ? "prefix" : "suffix");
                    List<Object> options = affix instanceof Tuple t ? t.items() : List.of(affix);
                    for (Object option : options) {
                        if (!(option instanceof String o)) {
                            throw new JinjaError(name + " first arg must be str or a tuple of str, not "
                                    + PyOps.typeName(option));
                        }
                        if (name.equals("startswith") ? s.startsWith(o) : s.endsWith(o)) {
                            return true;
                        }
                    }
                    return false;
                });
            case "replace":
                return method(name, args -> {
                    args.check(3);
                    return replace(s, string(args.required(0, "old"), "old"), string(args.required(1, "new"), "new"),
                            integer(args.get(2, "count", -1L), "count"));
                });
            case "upper":
                return method(name, args -> {
                    args.check(0);
                    return s.toUpperCase(Locale.ROOT);
                });
            case "lower":
                return method(name, args -> {
                    args.check(0);
                    return s.toLowerCase(Locale.ROOT);
                });
            case "title":
                return method(name, args -> {
                    args.check(0);
                    return pythonTitle(s);
                });
            case "capitalize":
                return method(name, args -> {
                    args.check(0);
                    return capitalize(s);
                });
            case "find":
            case "rfind":
            case "index":
            case "rindex":
            case "count":
                return method(name, args -> {
                    args.check(1);
                    String sub = string(args.required(0, "sub"), "sub");
                    if (name.equals("count")) {
                        return count(s, sub);
                    }
                    int at = name.startsWith("r") ? s.lastIndexOf(sub) : s.indexOf(sub);
                    if (at < 0 && name.endsWith("index")) {
                        throw new JinjaError("substring not found");
                    }
                    return at < 0 ? -1L : (long) s.codePointCount(0, at);
                });
            case "join":
                return method(name, args -> {
                    args.check(1);
                    StringBuilder out = new StringBuilder();
                    boolean first = true;
                    for (Object item : PyOps.iterate(args.required(0, "iterable"))) {
                        if (!(item instanceof String str)) {
                            throw new JinjaError("sequence item: expected str instance, " + PyOps.typeName(item)
                                    + " found");
                        }
                        if (!first) {
                            out.append(s);
                        }
                        first = false;
                        out.append(str);
                    }
                    return out.toString();
                });
            case "removeprefix":
                return method(name, args -> {
                    args.check(1);
                    String prefix = string(args.required(0, "prefix"), "prefix");
                    return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
                });
            case "removesuffix":
                return method(name, args -> {
                    args.check(1);
                    String suffix = string(args.required(0, "suffix"), "suffix");
                    return s.endsWith(suffix) && !suffix.isEmpty() ? s.substring(0, s.length() - suffix.length()) : s;
                });
            case "isdigit":
            case "isdecimal":
            case "isnumeric":
                return predicate(name, s, Character::isDigit);
            case "isalpha":
                return predicate(name, s, Character::isLetter);
            case "isalnum":
                return predicate(name, s, Character::isLetterOrDigit);
            case "isspace":
                return predicate(name, s, PyOps::isSpace);
            case "islower":
            case "isupper":
                return method(name, args -> {
                    args.check(0);
                    boolean cased = false;
                    for (int i = 0; i < s.length(); ) {
                        int cp = s.codePointAt(i);
                        i += Character.charCount(cp);
                        if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
                            if (name.equals("islower")) {
                                return false;
                            }
                            cased = true;
                        } else if (Character.isLowerCase(cp)) {
                            if (name.equals("isupper")) {
                                return false;
                            }
                            cased = true;
                        }
                    }
                    return cased;
                });
            case "format":
            case "format_map":
                return method(name, args -> {
                    throw new JinjaError("str." + name + "() is not supported in chat templates");
                });
            default:
                return null;
        }
    }

    private interface Body {
        Object apply(Arguments args);
    }

    private static Function method(String name, Body body) {
        return new Function(name, (renderer, args, position) -> body.apply(args));
    }

    private static Function predicate(String name, String s, java.util.function.IntPredicate test) {
        return method(name, args -> {
            args.check(0);
            return !s.isEmpty() && s.codePoints().allMatch(test);
        });
    }

    static String string(Object value, String what) {
        PyOps.failIfUndefined(value);
        if (value instanceof String s) {
            return s;
        }
        throw new JinjaError(what + " must be str, not " + PyOps.typeName(value));
    }

    static String optionalString(Object value, String what) {
        return value == null ? null : string(value, what);
    }

    static long integer(Object value, String what) {
        PyOps.failIfUndefined(value);
        if (value instanceof Long || value instanceof Boolean) {
            return PyOps.toLong(value);
        }
        throw new JinjaError(what + " must be an integer, not " + PyOps.typeName(value));
    }

    // ---------------------------------------------------------------- Python string algorithms

    /** Python {@code str.strip/lstrip/rstrip}; {@code chars == null} strips whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end) {
                int cp = s.codePointAt(start);
                if (!stripped(cp, chars)) {
                    break;
                }
                start += Character.charCount(cp);
            }
        }
        if (right) {
            while (end > start) {
                int cp = s.codePointBefore(end);
                if (!stripped(cp, chars)) {
                    break;
                }
                end -= Character.charCount(cp);
            }
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int cp, String chars) {
        return chars == null ? PyOps.isSpace(cp) : chars.indexOf(new String(Character.toChars(cp))) >= 0;
    }

    static List<Object> split(String s, String sep, long maxsplit, boolean fromRight) {
        List<Object> parts = new ArrayList<>();
        long limit = maxsplit < 0 ? Long.MAX_VALUE : maxsplit;
        if (sep == null) {
            List<int[]> words = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                while (i < s.length() && PyOps.isSpace(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                if (i >= s.length()) {
                    break;
                }
                int start = i;
                while (i < s.length() && !PyOps.isSpace(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                words.add(new int[] {start, i});
            }
            if (words.isEmpty() || words.size() - 1 <= limit) {
                for (int[] w : words) {
                    parts.add(s.substring(w[0], w[1]));
                }
                return Collections.unmodifiableList(parts);
            }
            if (!fromRight) {
                for (int k = 0; k < limit; k++) {
                    parts.add(s.substring(words.get(k)[0], words.get(k)[1]));
                }
                parts.add(s.substring(words.get((int) limit)[0]));
            } else {
                int keep = words.size() - (int) limit;
                parts.add(s.substring(0, words.get(keep - 1)[1]));
                for (int k = keep; k < words.size(); k++) {
                    parts.add(s.substring(words.get(k)[0], words.get(k)[1]));
                }
            }
            return Collections.unmodifiableList(parts);
        }
        if (sep.isEmpty()) {
            throw new JinjaError("empty separator");
        }
        List<Integer> cuts = new ArrayList<>();
        int from = 0;
        while (true) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            cuts.add(at);
            from = at + sep.length();
        }
        List<Integer> used;
        if (cuts.size() <= limit) {
            used = cuts;
        } else if (!fromRight) {
            used = cuts.subList(0, (int) limit);
        } else {
            // rsplit cuts from the right, and overlapping matches resolve from the right
            List<Integer> rightCuts = new ArrayList<>();
            int to = s.length();
            while (rightCuts.size() < limit) {
                int at = s.lastIndexOf(sep, to - sep.length());
                if (at < 0) {
                    break;
                }
                rightCuts.add(0, at);
                to = at;
            }
            used = rightCuts;
        }
        int start = 0;
        for (int cut : used) {
            parts.add(s.substring(start, cut));
            start = cut + sep.length();
        }
        parts.add(s.substring(start));
        return Collections.unmodifiableList(parts);
    }

    private static List<Object> splitlines(String s, boolean keepEnds) {
        List<Object> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int breakLength = 0;
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                breakLength = 2;
            } else if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E
                    || c == 0x85 || c == 0x2028 || c == 0x2029) {
                breakLength = 1;
            }
            if (breakLength > 0) {
                lines.add(s.substring(start, keepEnds ? i + breakLength : i));
                i += breakLength;
                start = i;
            } else {
                i++;
            }
        }
        if (start < s.length()) {
            lines.add(s.substring(start));
        }
        return Collections.unmodifiableList(lines);
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            if (old.isEmpty()) {
                return replaceEmpty(s, replacement, Long.MAX_VALUE);
            }
            return s.replace(old, replacement);
        }
        if (old.isEmpty()) {
            return replaceEmpty(s, replacement, count);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        long done = 0;
        while (done < count) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
            done++;
        }
        return out.append(s, from, s.length()).toString();
    }

    private static String replaceEmpty(String s, String replacement, long count) {
        StringBuilder out = new StringBuilder();
        long done = 0;
        int i = 0;
        while (true) {
            if (done < count) {
                out.append(replacement);
                done++;
            }
            if (i >= s.length()) {
                break;
            }
            int cp = s.codePointAt(i);
            out.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1L;
        }
        long n = 0;
        int from = 0;
        while (true) {
            int at = s.indexOf(sub, from);
            if (at < 0) {
                return n;
            }
            n++;
            from = at + sub.length();
        }
    }

    /** Python's {@code str.title()}: a cased character after an uncased one is titlecased, the rest lowered. */
    static String pythonTitle(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
            if (previousCased) {
                out.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
            } else {
                out.appendCodePoint(Character.toTitleCase(cp));
            }
            previousCased = cased;
        }
        return out.toString();
    }

    /** Python's {@code str.capitalize()}: the first character titlecased, the rest lowered. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int width = Character.charCount(first);
        return new String(Character.toChars(Character.toTitleCase(first)))
                + s.substring(width).toLowerCase(Locale.ROOT);
    }
}
