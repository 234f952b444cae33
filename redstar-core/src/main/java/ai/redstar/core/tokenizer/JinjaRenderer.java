package ai.redstar.core.tokenizer;

import ai.redstar.core.tokenizer.JinjaNode.Expr;
import ai.redstar.core.tokenizer.JinjaNode.RenderFailure;
import ai.redstar.core.tokenizer.JinjaNode.Stmt;
import ai.redstar.core.tokenizer.JinjaValues.Arguments;
import ai.redstar.core.tokenizer.JinjaValues.Function;
import ai.redstar.core.tokenizer.JinjaValues.JinjaError;
import ai.redstar.core.tokenizer.JinjaValues.Namespace;
import ai.redstar.core.tokenizer.JinjaValues.Undefined;
import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Executes a parsed template against variables: scopes, output, limits and the globals transformers provides
 * ({@code raise_exception}, {@code strftime_now}) besides Jinja's ({@code range}, {@code dict},
 * {@code namespace}). One renderer per render; not thread-safe.
 */
final class JinjaRenderer {
    /** Jinja's sandbox refuses ranges longer than this (its MAX_RANGE). */
    static final int MAX_RANGE = 100_000;

    private static final class Frame {
        final Map<String, Object> variables = new HashMap<>();
        final Frame parent;

        Frame(Frame parent) {
            this.parent = parent;
        }
    }

    private final Map<String, Object> context;
    private final Map<String, Object> globals = new HashMap<>();
    private final long maxSteps;
    private final int maxOutputChars;
    private final LocalDateTime now;
    private final List<int[]> generationSpans = new ArrayList<>();
    private StringBuilder output = new StringBuilder();
    private Frame frame = new Frame(null);
    private long steps;
    private int loopDepth;
    private Object blockValue;
    private boolean folding;

    JinjaRenderer(Map<String, Object> context, long maxSteps, int maxOutputChars, LocalDateTime now) {
        this.context = context;
        this.maxSteps = maxSteps;
        this.maxOutputChars = maxOutputChars;
        this.now = now;
        globals.put("range", new Function("range", (r, a, p) -> range(a)));
        globals.put("dict", new Function("dict", (r, a, p) -> {
            if (!a.positional.isEmpty()) {
                throw new JinjaError("dict() takes keyword arguments only in chat templates");
            }
            return Collections.unmodifiableMap(new LinkedHashMap<Object, Object>(a.keywords));
        }));
        globals.put("namespace", new Function("namespace", (r, a, p) -> {
            Namespace ns = new Namespace();
            for (Object initial : a.positional) {
                if (!(initial instanceof Map<?, ?> map)) {
                    throw new JinjaError("namespace() takes a mapping or keyword arguments");
                }
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    ns.attributes.put(PyOps.str(e.getKey()), e.getValue());
                }
            }
            ns.attributes.putAll(a.keywords);
            return ns;
        }));
        globals.put("raise_exception", new Function("raise_exception", (r, a, p) -> {
            throw new RaisedException(PyOps.str(a.get(0, "message", "")), p);
        }));
        globals.put("strftime_now", new Function("strftime_now", (r, a, p) -> {
            a.check(1, "format");
            return strftime(JinjaMethods.string(a.required(0, "format"), "format"), this.now);
        }));
    }

    /** A failure the template raised itself with {@code raise_exception(message)}. */
    static final class RaisedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int position;

        RaisedException(String message, int position) {
            super(message, null, false, false);
            this.position = position;
        }
    }

    /** The rendered text and the spans of {@code {% generation %}} blocks in it. */
    record Result(String text, List<int[]> generationSpans) {
    }

    Result render(List<Stmt> body) {
        JinjaNode.executeAll(body, this);
        return new Result(output.toString(), List.copyOf(generationSpans));
    }

    // ---------------------------------------------------------------- scopes

    Object lookup(String name) {
        for (Frame f = frame; f != null; f = f.parent) {
            if (f.variables.containsKey(name)) {
                return f.variables.get(name);
            }
        }
        if (context.containsKey(name)) {
            return context.get(name);
        }
        if (globals.containsKey(name)) {
            return globals.get(name);
        }
        return new Undefined("'" + name + "' is undefined");
    }

    void define(String name, Object value) {
        frame.variables.put(name, value);
    }

    void pushFrame() {
        frame = new Frame(frame);
    }

    void popFrame() {
        frame = frame.parent;
    }

    int loopDepth() {
        return loopDepth;
    }

    void enterLoop() {
        loopDepth++;
    }

    void exitLoop() {
        loopDepth--;
    }

    /** Binds a target (a name or a tuple of targets) in the current scope, unpacking like Python. */
    void assign(Expr target, Object value, int position) {
        if (target instanceof JinjaNode.Name name) {
            define(name.name, value);
            return;
        }
        JinjaNode.TupleLiteral tuple = (JinjaNode.TupleLiteral) target;
        List<Object> items;
        try {
            items = PyOps.iterate(value);
        } catch (JinjaError e) {
            throw new RenderFailure("cannot unpack non-iterable " + PyOps.typeName(value) + " object", position);
        }
        if (items.size() != tuple.items.size()) {
            throw new RenderFailure(items.size() > tuple.items.size()
                    ? "too many values to unpack (expected " + tuple.items.size() + ")"
                    : "not enough values to unpack (expected " + tuple.items.size() + ", got " + items.size() + ")",
                    position);
        }
        for (int i = 0; i < items.size(); i++) {
            assign(tuple.items.get(i), items.get(i), position);
        }
    }

    // ---------------------------------------------------------------- output and limits

    void step() {
        if (++steps > maxSteps) {
            throw new JinjaError("the template ran more than " + maxSteps + " steps (an endless or huge loop?)");
        }
    }

    void checkSize(long length) {
        if (length > maxOutputChars) {
            throw new JinjaError("the template built a value longer than " + maxOutputChars + " characters");
        }
    }

    void write(String text, int position) {
        if ((long) output.length() + text.length() > maxOutputChars) {
            throw new RenderFailure("the template output exceeds " + maxOutputChars + " characters", position);
        }
        output.append(text);
    }

    int outputLength() {
        return output.length();
    }

    void recordGeneration(int start, int end) {
        generationSpans.add(new int[] {start, end});
    }

    /** Renders a body into a string instead of the output (for block {@code set} and {@code filter}). */
    String capture(List<Stmt> body) {
        StringBuilder saved = output;
        output = new StringBuilder();
        try {
            JinjaNode.executeAll(body, this);
            return output.toString();
        } finally {
            output = saved;
        }
    }

    /** Whether a constant expression is being evaluated as Jinja's compile-time folding would. */
    boolean folding() {
        return folding;
    }

    Object fold(Supplier<Object> action) {
        boolean saved = folding;
        folding = true;
        try {
            return action.get();
        } finally {
            folding = saved;
        }
    }

    Object blockValue() {
        return blockValue;
    }

    Object withBlockValue(Object value, Supplier<Object> action) {
        Object saved = blockValue;
        blockValue = value;
        try {
            return action.get();
        } finally {
            blockValue = saved;
        }
    }

    // ---------------------------------------------------------------- globals

    private Object range(Arguments a) {
        if (!a.keywords.isEmpty()) {
            throw new JinjaError("range() takes no keyword arguments");
        }
        List<Object> args = a.positional;
        if (args.isEmpty() || args.size() > 3) {
            throw new JinjaError("range expected 1 to 3 arguments, got " + args.size());
        }
        long start = 0;
        long stop;
        long stepSize = 1;
        if (args.size() == 1) {
            stop = JinjaMethods.integer(args.get(0), "range() argument");
        } else {
            start = JinjaMethods.integer(args.get(0), "range() argument");
            stop = JinjaMethods.integer(args.get(1), "range() argument");
            if (args.size() == 3) {
                stepSize = JinjaMethods.integer(args.get(2), "range() argument");
            }
        }
        if (stepSize == 0) {
            throw new JinjaError("range() arg 3 must not be zero");
        }
        double count = Math.ceil(((double) stop - start) / stepSize);
        if (count > MAX_RANGE) {
            throw new JinjaError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE
                    + ").");
        }
        return new JinjaValues.Range(start, stop, stepSize);
    }

    /** Python's {@code datetime.strftime} for the directives chat templates use, in English (the C locale). */
    static String strftime(String format, LocalDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'd':
                    out.append(String.format(Locale.ROOT, "%02d", t.getDayOfMonth()));
                    break;
                case 'm':
                    out.append(String.format(Locale.ROOT, "%02d", t.getMonthValue()));
                    break;
                case 'Y':
                    out.append(String.format(Locale.ROOT, "%04d", t.getYear()));
                    break;
                case 'y':
                    out.append(String.format(Locale.ROOT, "%02d", t.getYear() % 100));
                    break;
                case 'b':
                case 'h':
                    out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US));
                    break;
                case 'B':
                    out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.US));
                    break;
                case 'a':
                    out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US));
                    break;
                case 'A':
                    out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US));
                    break;
                case 'H':
                    out.append(String.format(Locale.ROOT, "%02d", t.getHour()));
                    break;
                case 'I':
                    out.append(String.format(Locale.ROOT, "%02d", (t.getHour() + 11) % 12 + 1));
                    break;
                case 'M':
                    out.append(String.format(Locale.ROOT, "%02d", t.getMinute()));
                    break;
                case 'S':
                    out.append(String.format(Locale.ROOT, "%02d", t.getSecond()));
                    break;
                case 'p':
                    out.append(t.getHour() < 12 ? "AM" : "PM");
                    break;
                case 'j':
                    out.append(String.format(Locale.ROOT, "%03d", t.getDayOfYear()));
                    break;
                case 'e':
                    out.append(String.format(Locale.ROOT, "%2d", t.getDayOfMonth()));
                    break;
                case '%':
                    out.append('%');
                    break;
                default:
                    throw new JinjaError("strftime directive %" + d + " is not supported");
            }
        }
        return out.toString();
    }
}
