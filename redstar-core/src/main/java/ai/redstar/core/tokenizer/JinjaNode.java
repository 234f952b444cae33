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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The syntax tree of a template: expressions evaluate to values, statements write output. */
final class JinjaNode {
    private JinjaNode() {
    }

    /** A render failure at a template position (the innermost node that failed). */
    static final class RenderFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int position;

        RenderFailure(String message, int position) {
            super(message, null, false, false);
            this.position = position;
        }
    }

    // ================================================================ expressions

    abstract static class Expr {
        final int position;
        private int constant = -1;

        Expr(int position) {
            this.position = position;
        }

        /**
         * Evaluates, attributing a Python-level failure to this node's position. A constant subtree is first
         * evaluated as Jinja's compile-time optimizer would (lenient item access); its value is used when that
         * succeeds and the value has a safe repr, as {@code Const.from_untrusted} requires.
         */
        final Object evaluate(JinjaRenderer r) {
            if (!r.folding() && isConstantNode()) {
                try {
                    Object folded = r.fold(() -> evaluateDirect(r));
                    if (hasSafeRepr(folded, 0)) {
                        return folded;
                    }
                } catch (RenderFailure | JinjaError e) {
                    // not foldable: evaluated at run time below, as Jinja does
                }
            }
            return evaluateDirect(r);
        }

        final Object evaluateDirect(JinjaRenderer r) {
            try {
                return eval(r);
            } catch (JinjaError e) {
                throw new RenderFailure(e.getMessage(), position);
            }
        }

        final boolean isConstantNode() {
            if (constant < 0) {
                constant = foldCandidate(this) && !(this instanceof Const) ? 1 : 0;
            }
            return constant == 1;
        }

        abstract Object eval(JinjaRenderer r);

        /** Whether this expression may be the target of an assignment. */
        boolean assignable() {
            return false;
        }
    }

    static final class Const extends Expr {
        final Object value;

        Const(Object value, int position) {
            super(position);
            this.value = value;
        }

        @Override
        Object eval(JinjaRenderer r) {
            return value;
        }
    }

    static final class Name extends Expr {
        final String name;

        Name(String name, int position) {
            super(position);
            this.name = name;
        }

        @Override
        Object eval(JinjaRenderer r) {
            if (r.folding()) {
                throw new JinjaError("not a constant");
            }
            return r.lookup(name);
        }

        @Override
        boolean assignable() {
            return !name.equals("true") && !name.equals("false") && !name.equals("none") && !name.equals("True")
                    && !name.equals("False") && !name.equals("None");
        }
    }

    static final class Getattr extends Expr {
        final Expr target;
        final String name;

        Getattr(Expr target, String name, int position) {
            super(position);
            this.target = target;
            this.name = name;
        }

        @Override
        Object eval(JinjaRenderer r) {
            return JinjaMethods.getattr(target.evaluate(r), name);
        }
    }

    static final class Getitem extends Expr {
        final Expr target;
        final Expr key;

        Getitem(Expr target, Expr key, int position) {
            super(position);
            this.target = target;
            this.key = key;
        }

        @Override
        Object eval(JinjaRenderer r) {
            Object obj = target.evaluate(r);
            Object k = key.evaluate(r);
            if (key instanceof SliceExpr && !r.folding()) {
                // Jinja compiles slicing to plain Python subscription; only compile-time folding of a whole
                // {{ }} expression goes through the environment's lenient getitem
                return JinjaMethods.sliceStrict(obj, (Slice) k);
            }
            return JinjaMethods.getitem(obj, k);
        }
    }

    static final class SliceExpr extends Expr {
        final Expr start;
        final Expr stop;
        final Expr step;

        SliceExpr(Expr start, Expr stop, Expr step, int position) {
            super(position);
            this.start = start;
            this.stop = stop;
            this.step = step;
        }

        @Override
        Object eval(JinjaRenderer r) {
            return new Slice(start == null ? null : start.evaluate(r), stop == null ? null : stop.evaluate(r),
                    step == null ? null : step.evaluate(r));
        }
    }

    /** Arguments of a call, filter or test as written. */
    static final class CallArgs {
        final List<Expr> positional;
        final Map<String, Expr> keywords;
        final Expr starArgs;
        final Expr starKwargs;

        CallArgs(List<Expr> positional, Map<String, Expr> keywords, Expr starArgs, Expr starKwargs) {
            this.positional = positional;
            this.keywords = keywords;
            this.starArgs = starArgs;
            this.starKwargs = starKwargs;
        }

        static CallArgs none() {
            return new CallArgs(List.of(), Map.of(), null, null);
        }

        Arguments evaluate(JinjaRenderer r, String callee) {
            List<Object> args = new ArrayList<>();
            for (Expr e : positional) {
                args.add(e.evaluate(r));
            }
            if (starArgs != null) {
                args.addAll(PyOps.iterate(starArgs.evaluate(r)));
            }
            Map<String, Object> kwargs = new LinkedHashMap<>();
            for (Map.Entry<String, Expr> e : keywords.entrySet()) {
                kwargs.put(e.getKey(), e.getValue().evaluate(r));
            }
            if (starKwargs != null) {
                Object extra = starKwargs.evaluate(r);
                if (!(extra instanceof Map<?, ?> map)) {
                    throw new JinjaError("argument after ** must be a mapping, not " + PyOps.typeName(extra));
                }
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String k)) {
                        throw new JinjaError("keywords must be strings");
                    }
                    kwargs.put(k, e.getValue());
                }
            }
            return new Arguments(callee, Collections.unmodifiableList(args), Collections.unmodifiableMap(kwargs));
        }
    }

    static final class Call extends Expr {
        final Expr callee;
        final CallArgs args;

        Call(Expr callee, CallArgs args, int position) {
            super(position);
            this.callee = callee;
            this.args = args;
        }

        @Override
        Object eval(JinjaRenderer r) {
            if (r.folding()) {
                throw new JinjaError("not a constant");
            }
            Object f = callee.evaluate(r);
            PyOps.failIfUndefined(f);
            if (!(f instanceof Function function)) {
                throw new JinjaError("'" + PyOps.typeName(f) + "' object is not callable");
            }
            Arguments values = args.evaluate(r, function.name());
            r.step();
            return function.body().call(r, values, position);
        }
    }

    static final class FilterExpr extends Expr {
        final Expr input;
        final String name;
        final JinjaFilters.Filter filter;
        final CallArgs args;

        FilterExpr(Expr input, String name, JinjaFilters.Filter filter, CallArgs args, int position) {
            super(position);
            this.input = input;
            this.name = name;
            this.filter = filter;
            this.args = args;
        }

        @Override
        Object eval(JinjaRenderer r) {
            if (r.folding() && (input == null || JinjaFilters.needsContext(name))) {
                throw new JinjaError("not a constant");
            }
            Object value = input == null ? r.blockValue() : input.evaluate(r);
            Arguments values = args.evaluate(r, name);
            r.step();
            return filter.apply(r, value, values);
        }
    }

    static final class TestExpr extends Expr {
        final Expr input;
        final String name;
        final JinjaFilters.Test test;
        final CallArgs args;

        TestExpr(Expr input, String name, JinjaFilters.Test test, CallArgs args, int position) {
            super(position);
            this.input = input;
            this.name = name;
            this.test = test;
            this.args = args;
        }

        @Override
        Object eval(JinjaRenderer r) {
            Object value = input.evaluate(r);
            return test.test(r, value, args.evaluate(r, name));
        }
    }

    /**
     * Whether Jinja's optimizer might fold this expression at compile time: no variable or call can be reached
     * except behind a short-circuit ({@code and}, {@code or}, the branches of {@code x if c else y}); whether it
     * actually folds is decided by evaluating it in folding mode, where variables and calls are impossible.
     */
    static boolean foldCandidate(Expr e) {
        if (e instanceof Const) {
            return true;
        }
        if (e instanceof Name || e instanceof Call) {
            return false;
        }
        if (e instanceof And a) {
            return foldCandidate(a.left);
        }
        if (e instanceof Or o) {
            return foldCandidate(o.left);
        }
        if (e instanceof CondExpr c) {
            return foldCandidate(c.test);
        }
        if (e instanceof Unary u) {
            return foldCandidate(u.operand);
        }
        if (e instanceof Not n) {
            return foldCandidate(n.operand);
        }
        if (e instanceof Binary b) {
            return foldCandidate(b.left) && foldCandidate(b.right);
        }
        if (e instanceof Concat c) {
            return c.parts.stream().allMatch(JinjaNode::foldCandidate);
        }
        if (e instanceof Compare c) {
            return foldCandidate(c.first) && c.operands.stream().allMatch(JinjaNode::foldCandidate);
        }
        if (e instanceof Getattr g) {
            return foldCandidate(g.target);
        }
        if (e instanceof Getitem g) {
            return foldCandidate(g.target) && foldCandidate(g.key);
        }
        if (e instanceof SliceExpr s) {
            return (s.start == null || foldCandidate(s.start)) && (s.stop == null || foldCandidate(s.stop))
                    && (s.step == null || foldCandidate(s.step));
        }
        if (e instanceof ListLiteral l) {
            return l.items.stream().allMatch(JinjaNode::foldCandidate);
        }
        if (e instanceof TupleLiteral t) {
            return t.items.stream().allMatch(JinjaNode::foldCandidate);
        }
        if (e instanceof DictLiteral d) {
            return d.keys.stream().allMatch(JinjaNode::foldCandidate)
                    && d.values.stream().allMatch(JinjaNode::foldCandidate);
        }
        if (e instanceof FilterExpr f) {
            return f.input != null && !JinjaFilters.needsContext(f.name) && foldCandidate(f.input)
                    && candidateArgs(f.args);
        }
        if (e instanceof TestExpr t) {
            return foldCandidate(t.input) && candidateArgs(t.args);
        }
        return false;
    }

    private static boolean candidateArgs(CallArgs args) {
        return args.starArgs == null && args.starKwargs == null
                && args.positional.stream().allMatch(JinjaNode::foldCandidate)
                && args.keywords.values().stream().allMatch(JinjaNode::foldCandidate);
    }

    /** Jinja's {@code has_safe_repr}: the values a folded constant may have. */
    static boolean hasSafeRepr(Object v, int depth) {
        if (depth > 50) {
            return false;
        }
        if (v == null || v instanceof Boolean || v instanceof Long || v instanceof Double || v instanceof String
                || v instanceof JinjaValues.Range) {
            return true;
        }
        if (v instanceof List<?> list) {
            return list.stream().allMatch(x -> hasSafeRepr(x, depth + 1));
        }
        if (v instanceof Tuple t) {
            return t.items().stream().allMatch(x -> hasSafeRepr(x, depth + 1));
        }
        if (v instanceof Map<?, ?> map) {
            return map.entrySet().stream().allMatch(e -> hasSafeRepr(e.getKey(), depth + 1)
                    && hasSafeRepr(e.getValue(), depth + 1));
        }
        return false;
    }

    private static boolean constantArgs(CallArgs args) {
        return args.starArgs == null && args.starKwargs == null
                && args.positional.stream().allMatch(JinjaNode::isConstant)
                && args.keywords.values().stream().allMatch(JinjaNode::isConstant);
    }

    /** Whether Jinja's optimizer folds this expression to a constant at compile time. */
    static boolean isConstant(Expr e) {
        if (e instanceof Const) {
            return true;
        }
        if (e instanceof Unary u) {
            return isConstant(u.operand);
        }
        if (e instanceof Binary b) {
            return isConstant(b.left) && isConstant(b.right);
        }
        if (e instanceof Concat c) {
            return c.parts.stream().allMatch(JinjaNode::isConstant);
        }
        if (e instanceof Not n) {
            return isConstant(n.operand);
        }
        if (e instanceof And a) {
            return isConstant(a.left) && isConstant(a.right);
        }
        if (e instanceof Or o) {
            return isConstant(o.left) && isConstant(o.right);
        }
        if (e instanceof Compare c) {
            return isConstant(c.first) && c.operands.stream().allMatch(JinjaNode::isConstant);
        }
        if (e instanceof TupleLiteral t) {
            return t.items.stream().allMatch(JinjaNode::isConstant);
        }
        if (e instanceof ListLiteral l) {
            return l.items.stream().allMatch(JinjaNode::isConstant);
        }
        if (e instanceof SliceExpr s) {
            return (s.start == null || isConstant(s.start)) && (s.stop == null || isConstant(s.stop))
                    && (s.step == null || isConstant(s.step));
        }
        if (e instanceof Getitem g) {
            return isConstant(g.target) && isConstant(g.key);
        }
        if (e instanceof Getattr g) {
            return isConstant(g.target);
        }
        if (e instanceof DictLiteral d) {
            return d.keys.stream().allMatch(JinjaNode::isConstant) && d.values.stream().allMatch(JinjaNode::isConstant);
        }
        if (e instanceof CondExpr c) {
            return isConstant(c.test) && isConstant(c.then) && c.otherwise != null && isConstant(c.otherwise);
        }
        if (e instanceof FilterExpr f) {
            return f.input != null && !JinjaFilters.needsContext(f.name) && isConstant(f.input)
                    && constantArgs(f.args);
        }
        if (e instanceof TestExpr t) {
            return isConstant(t.input) && constantArgs(t.args);
        }
        return false;
    }

    static final class Binary extends Expr {
        final String op;
        final Expr left;
        final Expr right;
        boolean negativeLiteralBase;

        Binary(String op, Expr left, Expr right, int position) {
            super(position);
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(JinjaRenderer r) {
            Object a = left.evaluate(r);
            Object b = right.evaluate(r);
            switch (op) {
                case "+":
                    return PyOps.add(a, b, r);
                case "-":
                    return PyOps.sub(a, b);
                case "*":
                    return PyOps.mul(a, b, r);
                case "/":
                    return PyOps.truediv(a, b);
                case "//":
                    return PyOps.floordiv(a, b);
                case "%":
                    return PyOps.mod(a, b);
                case "**":
                    if (negativeLiteralBase && PyOps.isNumber(a) && PyOps.toDouble(a) < 0) {
                        return PyOps.negate(PyOps.pow(PyOps.negate(a), b));
                    }
                    return PyOps.pow(a, b);
                default:
                    throw new IllegalStateException(op);
            }
        }
    }

    static final class Unary extends Expr {
        final String op;
        final Expr operand;

        Unary(String op, Expr operand, int position) {
            super(position);
            this.op = op;
            this.operand = operand;
        }

        @Override
        Object eval(JinjaRenderer r) {
            Object v = operand.evaluate(r);
            return op.equals("-") ? PyOps.negate(v) : PyOps.plus(v);
        }
    }

    static final class Concat extends Expr {
        final List<Expr> parts;

        Concat(List<Expr> parts, int position) {
            super(position);
            this.parts = parts;
        }

        @Override
        Object eval(JinjaRenderer r) {
            StringBuilder out = new StringBuilder();
            for (Expr part : parts) {
                out.append(PyOps.str(part.evaluate(r)));
                r.checkSize(out.length());
            }
            return out.toString();
        }
    }

    static boolean compare(String op, Object a, Object b) {
        switch (op) {
            case "==":
                return PyOps.eq(a, b);
            case "!=":
                return !PyOps.eq(a, b);
            case "in":
                return PyOps.contains(b, a);
            case "notin":
                return !PyOps.contains(b, a);
            default:
                int c = PyOps.compare(a, b, op);
                if (c == Integer.MIN_VALUE) {
                    return false;
                }
                switch (op) {
                    case "<":
                        return c < 0;
                    case "<=":
                        return c <= 0;
                    case ">":
                        return c > 0;
                    case ">=":
                        return c >= 0;
                    default:
                        throw new IllegalStateException(op);
                }
        }
    }

    static final class Compare extends Expr {
        final Expr first;
        final List<String> ops;
        final List<Expr> operands;

        Compare(Expr first, List<String> ops, List<Expr> operands, int position) {
            super(position);
            this.first = first;
            this.ops = ops;
            this.operands = operands;
        }

        @Override
        Object eval(JinjaRenderer r) {
            Object left = first.evaluate(r);
            for (int i = 0; i < ops.size(); i++) {
                Object right = operands.get(i).evaluate(r);
                if (!compare(ops.get(i), left, right)) {
                    return false;
                }
                left = right;
            }
            return true;
        }
    }

    static final class And extends Expr {
        final Expr left;
        final Expr right;

        And(Expr left, Expr right, int position) {
            super(position);
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(JinjaRenderer r) {
            Object a = left.evaluate(r);
            return PyOps.truthy(a) ? right.evaluate(r) : a;
        }
    }

    static final class Or extends Expr {
        final Expr left;
        final Expr right;

        Or(Expr left, Expr right, int position) {
            super(position);
            this.left = left;
            this.right = right;
        }

        @Override
        Object eval(JinjaRenderer r) {
            Object a = left.evaluate(r);
            return PyOps.truthy(a) ? a : right.evaluate(r);
        }
    }

    static final class Not extends Expr {
        final Expr operand;

        Not(Expr operand, int position) {
            super(position);
            this.operand = operand;
        }

        @Override
        Object eval(JinjaRenderer r) {
            return !PyOps.truthy(operand.evaluate(r));
        }
    }

    static final class CondExpr extends Expr {
        final Expr test;
        final Expr then;
        final Expr otherwise;

        CondExpr(Expr test, Expr then, Expr otherwise, int position) {
            super(position);
            this.test = test;
            this.then = then;
            this.otherwise = otherwise;
        }

        @Override
        Object eval(JinjaRenderer r) {
            if (PyOps.truthy(test.evaluate(r))) {
                return then.evaluate(r);
            }
            if (otherwise == null && r.folding()) {
                throw new JinjaError("not a constant");
            }
            return otherwise == null
                    ? new Undefined("the inline if-expression evaluated to false and no else section was defined.")
                    : otherwise.evaluate(r);
        }
    }

    static final class ListLiteral extends Expr {
        final List<Expr> items;

        ListLiteral(List<Expr> items, int position) {
            super(position);
            this.items = items;
        }

        @Override
        Object eval(JinjaRenderer r) {
            List<Object> out = new ArrayList<>(items.size());
            for (Expr e : items) {
                out.add(e.evaluate(r));
            }
            return Collections.unmodifiableList(out);
        }
    }

    static final class TupleLiteral extends Expr {
        final List<Expr> items;

        TupleLiteral(List<Expr> items, int position) {
            super(position);
            this.items = items;
        }

        @Override
        Object eval(JinjaRenderer r) {
            List<Object> out = new ArrayList<>(items.size());
            for (Expr e : items) {
                out.add(e.evaluate(r));
            }
            return new Tuple(out);
        }

        @Override
        boolean assignable() {
            for (Expr e : items) {
                if (!e.assignable()) {
                    return false;
                }
            }
            return true;
        }
    }

    static final class DictLiteral extends Expr {
        final List<Expr> keys;
        final List<Expr> values;

        DictLiteral(List<Expr> keys, List<Expr> values, int position) {
            super(position);
            this.keys = keys;
            this.values = values;
        }

        @Override
        Object eval(JinjaRenderer r) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                Object key = keys.get(i).evaluate(r);
                if (key instanceof List || key instanceof Map || key instanceof Undefined
                        || key instanceof Namespace) {
                    throw new JinjaError("unhashable type: '" + PyOps.typeName(key) + "'");
                }
                out.put(PyOps.normalizeKey(key), values.get(i).evaluate(r));
            }
            return Collections.unmodifiableMap(out);
        }
    }

    // ================================================================ statements

    /** What a statement tells the enclosing loop. */
    enum Flow { NORMAL, BREAK, CONTINUE }

    abstract static class Stmt {
        final int position;

        Stmt(int position) {
            this.position = position;
        }

        abstract Flow execute(JinjaRenderer r);
    }

    static Flow executeAll(List<Stmt> body, JinjaRenderer r) {
        for (Stmt s : body) {
            Flow flow = s.execute(r);
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    static final class Data extends Stmt {
        final String text;

        Data(String text, int position) {
            super(position);
            this.text = text;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            r.write(text, position);
            return Flow.NORMAL;
        }
    }

    static final class Print extends Stmt {
        final Expr expr;

        Print(Expr expr, int position) {
            super(position);
            this.expr = expr;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            r.step();
            Object value = null;
            boolean folded = false;
            if (foldCandidate(expr)) {
                // Jinja evaluates a constant {{ }} expression at compile time (any value, Undefined included);
                // if that fails it runs it normally
                try {
                    value = r.fold(() -> expr.evaluateDirect(r));
                    folded = true;
                } catch (RenderFailure | JinjaError e) {
                    folded = false;
                }
            }
            if (!folded) {
                value = expr.evaluate(r);
            }
            r.write(PyOps.str(value), position);
            return Flow.NORMAL;
        }
    }

    static final class If extends Stmt {
        final List<Expr> tests;
        final List<List<Stmt>> bodies;
        final List<Stmt> otherwise;

        If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> otherwise, int position) {
            super(position);
            this.tests = tests;
            this.bodies = bodies;
            this.otherwise = otherwise;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            r.step();
            for (int i = 0; i < tests.size(); i++) {
                if (PyOps.truthy(tests.get(i).evaluate(r))) {
                    return executeAll(bodies.get(i), r);
                }
            }
            return executeAll(otherwise, r);
        }
    }

    static final class For extends Stmt {
        final Expr target;
        final Expr iterable;
        final Expr filter;
        final List<Stmt> body;
        final List<Stmt> otherwise;

        For(Expr target, Expr iterable, Expr filter, List<Stmt> body, List<Stmt> otherwise, int position) {
            super(position);
            this.target = target;
            this.iterable = iterable;
            this.filter = filter;
            this.body = body;
            this.otherwise = otherwise;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            r.step();
            Object source = iterable.evaluate(r);
            List<Object> items;
            try {
                items = PyOps.iterate(source);
            } catch (JinjaError e) {
                throw new RenderFailure(e.getMessage(), iterable.position);
            }
            if (filter != null) {
                List<Object> kept = new ArrayList<>();
                for (Object item : items) {
                    r.step();
                    r.pushFrame();
                    try {
                        r.assign(target, item, position);
                        if (PyOps.truthy(filter.evaluate(r))) {
                            kept.add(item);
                        }
                    } finally {
                        r.popFrame();
                    }
                }
                items = kept;
            }
            if (items.isEmpty()) {
                return executeAll(otherwise, r);
            }
            JinjaLoop loop = new JinjaLoop(items, r.loopDepth() + 1);
            r.enterLoop();
            try {
                for (int i = 0; i < items.size(); i++) {
                    r.step();
                    loop.advance(i);
                    r.pushFrame();
                    try {
                        r.assign(target, items.get(i), position);
                        r.define("loop", loop);
                        Flow flow = executeAll(body, r);
                        if (flow == Flow.BREAK) {
                            break;
                        }
                    } finally {
                        r.popFrame();
                    }
                }
            } finally {
                r.exitLoop();
            }
            return Flow.NORMAL;
        }
    }

    static final class Assign extends Stmt {
        final Expr target;
        final Expr value;

        Assign(Expr target, Expr value, int position) {
            super(position);
            this.target = target;
            this.value = value;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            r.step();
            r.assign(target, value.evaluate(r), position);
            return Flow.NORMAL;
        }
    }

    static final class AssignNamespace extends Stmt {
        final String namespace;
        final String attribute;
        final Expr value;

        AssignNamespace(String namespace, String attribute, Expr value, int position) {
            super(position);
            this.namespace = namespace;
            this.attribute = attribute;
            this.value = value;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            r.step();
            Object v = value.evaluate(r);
            Object target = r.lookup(namespace);
            if (!(target instanceof Namespace ns)) {
                throw new RenderFailure("cannot assign attribute on non-namespace object ('" + namespace
                        + "' is " + PyOps.typeName(target) + ")", position);
            }
            ns.attributes.put(attribute, v);
            return Flow.NORMAL;
        }
    }

    /** {@code {% set x %}...{% endset %}} and {@code {% filter f %}...{% endfilter %}}: a captured body. */
    static final class Capture extends Stmt {
        final Expr target;
        final Expr filters;
        final List<Stmt> body;

        Capture(Expr target, Expr filters, List<Stmt> body, int position) {
            super(position);
            this.target = target;
            this.filters = filters;
            this.body = body;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            r.step();
            String captured = r.capture(body);
            Object value = captured;
            if (filters != null) {
                value = r.withBlockValue(captured, () -> filters.evaluate(r));
            }
            if (target == null) {
                r.write(PyOps.str(value), position);
            } else {
                r.assign(target, value, position);
            }
            return Flow.NORMAL;
        }
    }

    static final class With extends Stmt {
        final List<Expr> targets;
        final List<Expr> values;
        final List<Stmt> body;

        With(List<Expr> targets, List<Expr> values, List<Stmt> body, int position) {
            super(position);
            this.targets = targets;
            this.values = values;
            this.body = body;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            r.step();
            List<Object> evaluated = new ArrayList<>();
            for (Expr v : values) {
                evaluated.add(v.evaluate(r));
            }
            r.pushFrame();
            try {
                for (int i = 0; i < targets.size(); i++) {
                    r.assign(targets.get(i), evaluated.get(i), position);
                }
                return executeAll(body, r);
            } finally {
                r.popFrame();
            }
        }
    }

    static final class LoopControl extends Stmt {
        final Flow flow;

        LoopControl(Flow flow, int position) {
            super(position);
            this.flow = flow;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            return flow;
        }
    }

    /** transformers' {@code {% generation %}} block: rendered as is, its output span recorded. */
    static final class Generation extends Stmt {
        final List<Stmt> body;

        Generation(List<Stmt> body, int position) {
            super(position);
            this.body = body;
        }

        @Override
        Flow execute(JinjaRenderer r) {
            int start = r.outputLength();
            Flow flow = executeAll(body, r);
            r.recordGeneration(start, r.outputLength());
            return flow;
        }
    }
}
