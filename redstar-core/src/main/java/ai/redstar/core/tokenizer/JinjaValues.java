package ai.redstar.core.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The value types of the template interpreter besides Java's own ({@code null} is Python's {@code None},
 * {@link Boolean}, {@link Long} for {@code int}, {@link Double} for {@code float}, {@link String}, {@link List} for
 * {@code list} and {@link Map} for {@code dict}, both treated as immutable).
 */
final class JinjaValues {
    private JinjaValues() {
    }

    /** Jinja's default {@code Undefined}: falsy, prints as "", iterates as empty, fails on any other use. */
    static final class Undefined {
        final String hint;

        Undefined(String hint) {
            this.hint = hint;
        }

        @Override
        public String toString() {
            return "Undefined";
        }
    }

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        static Tuple of(Object... items) {
            List<Object> list = new ArrayList<>(items.length);
            Collections.addAll(list, items);
            return new Tuple(list);
        }
    }

    /**
     * A Python generator or iterator returned by filters such as {@code select} and {@code map}: truthy, without a
     * length, and consumed by its first iteration, as in Jinja.
     */
    static final class Generator {
        private List<Object> items;
        final String kind;

        Generator(List<Object> items, String kind) {
            this.items = items;
            this.kind = kind;
        }

        List<Object> consume() {
            List<Object> result = items;
            items = List.of();
            return result;
        }
    }

    /** Python's {@code range}: a list of integers that prints as {@code range(start, stop[, step])}. */
    static final class Range extends java.util.AbstractList<Object> {
        final long start;
        final long stop;
        final long step;
        private final int size;

        Range(long start, long stop, long step) {
            this.start = start;
            this.stop = stop;
            this.step = step;
            long n = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
            this.size = (int) Math.max(0, n);
        }

        @Override
        public Object get(int index) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException(index);
            }
            return start + index * step;
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** A Python slice, the index of {@code seq[a:b:c]}. */
    record Slice(Object start, Object stop, Object step) {
    }

    /** Jinja's {@code namespace()}: the one object whose attributes a template may assign. */
    static final class Namespace {
        final Map<String, Object> attributes = new LinkedHashMap<>();
    }

    /** Something a template can call: a global function, a bound method or a loop helper. */
    @FunctionalInterface
    interface Callable {
        Object call(JinjaRenderer renderer, Arguments arguments, int position);
    }

    /** A named callable, printed like Python prints a built-in. */
    record Function(String name, Callable body) {
        Function {
            Objects.requireNonNull(name);
            Objects.requireNonNull(body);
        }
    }

    /** Positional and keyword arguments of a call, with binding helpers that report misuse by name. */
    static final class Arguments {
        final List<Object> positional;
        final Map<String, Object> keywords;
        final String callee;

        Arguments(String callee, List<Object> positional, Map<String, Object> keywords) {
            this.callee = callee;
            this.positional = positional;
            this.keywords = keywords;
        }

        /**
         * The argument at {@code index} or named {@code name}, or {@code fallback} when absent.
         *
         * @throws IllegalArgumentException (via the renderer) when given both ways
         */
        Object get(int index, String name, Object fallback) {
            boolean byPosition = index >= 0 && index < positional.size();
            boolean byName = name != null && keywords.containsKey(name);
            if (byPosition && byName) {
                throw new JinjaError(callee + "() got multiple values for argument '" + name + "'");
            }
            if (byPosition) {
                return positional.get(index);
            }
            if (byName) {
                return keywords.get(name);
            }
            return fallback;
        }

        Object required(int index, String name) {
            Object missing = new Object();
            Object value = get(index, name, missing);
            if (value == missing) {
                throw new JinjaError(callee + "() missing required argument '" + name + "'");
            }
            return value;
        }

        /** Rejects positional arguments beyond {@code maxPositional} and keywords not in {@code names}. */
        void check(int maxPositional, String... names) {
            if (positional.size() > maxPositional) {
                throw new JinjaError(callee + "() takes at most " + maxPositional + " positional argument"
                        + (maxPositional == 1 ? "" : "s") + " (" + positional.size() + " given)");
            }
            for (String key : keywords.keySet()) {
                boolean known = false;
                for (String name : names) {
                    if (name.equals(key)) {
                        known = true;
                        break;
                    }
                }
                if (!known) {
                    throw new JinjaError(callee + "() got an unexpected keyword argument '" + key + "'");
                }
            }
        }
    }

    /** A render-time failure (Python would raise); the renderer adds the template position. */
    static final class JinjaError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JinjaError(String message) {
            super(message, null, false, false);
        }
    }
}
