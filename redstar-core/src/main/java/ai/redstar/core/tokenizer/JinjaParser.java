package ai.redstar.core.tokenizer;

import ai.redstar.core.tokenizer.JinjaLexer.Kind;
import ai.redstar.core.tokenizer.JinjaLexer.SyntaxError;
import ai.redstar.core.tokenizer.JinjaLexer.Token;
import ai.redstar.core.tokenizer.JinjaNode.CallArgs;
import ai.redstar.core.tokenizer.JinjaNode.Expr;
import ai.redstar.core.tokenizer.JinjaNode.Flow;
import ai.redstar.core.tokenizer.JinjaNode.Stmt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A recursive-descent parser following Jinja's own grammar and operator precedence (conditional expression,
 * {@code or}, {@code and}, {@code not}, comparisons, {@code + -}, {@code ~}, {@code * / // %}, {@code **}, unary,
 * postfix, filters and tests). Unsupported tags (macro, call, include, extends, block, import) are syntax errors
 * that name the tag.
 */
final class JinjaParser {
    /** Deepest nesting of expressions or blocks accepted (guards the Java stack against hostile templates). */
    static final int MAX_NESTING = 200;

    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final Set<String> UNSUPPORTED_TAGS = Set.of("macro", "call", "include", "extends", "block",
            "import", "from", "autoescape", "trans", "do", "debug");

    private final List<Token> tokens;
    private int index;
    private int depth;
    private int loops;
    private final List<List<String>> endTokenStack = new ArrayList<>();
    /** Whether we are in an if-statement or conditional expression (Jinja's "soft frame"). */
    private boolean soft;
    /** Filters and tests not known to this renderer: errors at parse time unless in a soft frame. */
    private final List<Unknown> unknowns = new ArrayList<>();

    private static final class Unknown {
        final String description;
        final int position;
        boolean soft;

        Unknown(String description, int position, boolean soft) {
            this.description = description;
            this.position = position;
            this.soft = soft;
        }
    }

    private JinjaParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Stmt> parse(List<Token> tokens) {
        JinjaParser parser = new JinjaParser(tokens);
        List<Stmt> body = parser.subparse(null);
        if (parser.current().kind() != Kind.EOF) {
            throw parser.fail("unexpected " + parser.current().describe());
        }
        for (Unknown unknown : parser.unknowns) {
            if (!unknown.soft) {
                throw new SyntaxError(unknown.description, unknown.position);
            }
        }
        return body;
    }

    // ---------------------------------------------------------------- token stream

    private Token current() {
        return tokens.get(index);
    }

    private Token look() {
        return tokens.get(Math.min(index + 1, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(index);
        if (index < tokens.size() - 1) {
            index++;
        }
        return t;
    }

    private SyntaxError fail(String message) {
        return new SyntaxError(message, current().position());
    }

    private Token expect(Kind kind, String what) {
        Token t = current();
        if (t.kind() != kind) {
            throw fail("expected " + what + ", got " + t.describe());
        }
        return next();
    }

    private Token expectOperator(String op) {
        Token t = current();
        if (!t.isOperator(op)) {
            throw fail("expected '" + op + "', got " + t.describe());
        }
        return next();
    }

    private Token expectName(String name) {
        Token t = current();
        if (!t.isName(name)) {
            throw fail("expected '" + name + "', got " + t.describe());
        }
        return next();
    }

    private boolean skipOperator(String op) {
        if (current().isOperator(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (current().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private <T> T withSoft(boolean value, java.util.function.Supplier<T> action) {
        boolean saved = soft;
        soft = value;
        try {
            return action.get();
        } finally {
            soft = saved;
        }
    }

    private void enter() {
        if (++depth > MAX_NESTING) {
            throw fail("template is nested more than " + MAX_NESTING + " levels deep");
        }
    }

    private void leave() {
        depth--;
    }

    // ---------------------------------------------------------------- statements

    private List<Stmt> subparse(List<String> endTokens) {
        List<Stmt> body = new ArrayList<>();
        if (endTokens != null) {
            endTokenStack.add(endTokens);
        }
        try {
            while (current().kind() != Kind.EOF) {
                Token t = current();
                switch (t.kind()) {
                    case DATA:
                        body.add(new JinjaNode.Data((String) t.value(), t.position()));
                        next();
                        break;
                    case VARIABLE_BEGIN: {
                        next();
                        Expr e = parseTuple(false, true, null, false);
                        expect(Kind.VARIABLE_END, "'}}'");
                        body.add(new JinjaNode.Print(e, t.position()));
                        break;
                    }
                    case BLOCK_BEGIN: {
                        next();
                        if (endTokens != null && current().kind() == Kind.NAME
                                && endTokens.contains((String) current().value())) {
                            return body;
                        }
                        body.add(parseStatement());
                        expect(Kind.BLOCK_END, "'%}'");
                        break;
                    }
                    default:
                        throw fail("unexpected " + t.describe());
                }
            }
            return body;
        } finally {
            if (endTokens != null) {
                endTokenStack.remove(endTokenStack.size() - 1);
            }
        }
    }

    /** Parses a body up to one of {@code endTokens}; the current token is then that end tag's name. */
    private List<Stmt> parseBody(List<String> endTokens, Token opener) {
        skipOperator(":");
        expect(Kind.BLOCK_END, "'%}'");
        enter();
        try {
            List<Stmt> body = subparse(endTokens);
            if (current().kind() == Kind.EOF) {
                throw new SyntaxError("unexpected end of template: the '" + opener.value() + "' block opened at "
                        + "this position needs " + describeEnd(endTokens), opener.position());
            }
            return body;
        } finally {
            leave();
        }
    }

    private static String describeEnd(List<String> endTokens) {
        return endTokens.stream().map(s -> "'" + s + "'").reduce((a, b) -> a + " or " + b).orElse("an end tag");
    }

    private Stmt parseStatement() {
        Token t = current();
        if (t.kind() != Kind.NAME) {
            throw fail("tag name expected, got " + t.describe());
        }
        String tag = (String) t.value();
        switch (tag) {
            case "for":
                return parseFor();
            case "if":
                return parseIf();
            case "set":
                return parseSet();
            case "print": {
                next();
                List<Expr> parts = new ArrayList<>();
                while (current().kind() != Kind.BLOCK_END) {
                    if (!parts.isEmpty()) {
                        expectOperator(",");
                    }
                    parts.add(parseExpression(true));
                }
                if (parts.size() == 1) {
                    return new JinjaNode.Print(parts.get(0), t.position());
                }
                List<Stmt> prints = new ArrayList<>();
                for (Expr e : parts) {
                    prints.add(new JinjaNode.Print(e, e.position));
                }
                return new JinjaNode.If(List.of(), List.of(), prints, t.position());
            }
            case "with":
                return parseWith();
            case "filter":
                return parseFilterBlock();
            case "break":
            case "continue":
                next();
                if (loops == 0) {
                    throw new SyntaxError("'" + tag + "' outside of a for loop", t.position());
                }
                return new JinjaNode.LoopControl(tag.equals("break") ? Flow.BREAK : Flow.CONTINUE, t.position());
            case "generation": {
                next();
                List<Stmt> body = withSoft(false, () -> parseBody(List.of("endgeneration"), t));
                next();
                return new JinjaNode.Generation(body, t.position());
            }
            default:
                if (UNSUPPORTED_TAGS.contains(tag)) {
                    throw new SyntaxError("the '" + tag + "' tag is not supported by this chat template renderer",
                            t.position());
                }
                for (List<String> ends : endTokenStack) {
                    if (ends.contains(tag)) {
                        throw new SyntaxError("unexpected '" + tag + "'; the innermost open block needs "
                                + describeEnd(endTokenStack.get(endTokenStack.size() - 1)), t.position());
                    }
                }
                throw new SyntaxError("unknown tag '" + tag + "'", t.position());
        }
    }

    private Stmt parseFor() {
        Token start = expectName("for");
        Expr target = withSoft(false, () -> parseAssignTarget(List.of("in")));
        expectName("in");
        Expr iterable = parseTuple(false, false, List.of("recursive"), false);
        Expr filter = null;
        if (skipName("if")) {
            filter = withSoft(false, () -> parseExpression(true));
        }
        if (current().isName("recursive")) {
            throw fail("recursive loops are not supported by this chat template renderer");
        }
        loops++;
        List<Stmt> body;
        try {
            body = withSoft(false, () -> parseBody(List.of("endfor", "else"), start));
        } finally {
            loops--;
        }
        List<Stmt> otherwise = List.of();
        if (((String) next().value()).equals("else")) {
            otherwise = withSoft(false, () -> parseBody(List.of("endfor"), start));
            next();
        }
        return new JinjaNode.For(target, iterable, filter, body, otherwise, start.position());
    }

    private Stmt parseIf() {
        return withSoft(true, this::parseIfSoft);
    }

    private Stmt parseIfSoft() {
        Token start = expectName("if");
        List<Expr> tests = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> otherwise = List.of();
        while (true) {
            tests.add(parseTuple(false, false, null, false));
            bodies.add(parseBody(List.of("elif", "else", "endif"), start));
            Token t = next();
            if (t.isName("elif")) {
                continue;
            }
            if (t.isName("else")) {
                otherwise = parseBody(List.of("endif"), start);
                next();
            }
            break;
        }
        return new JinjaNode.If(tests, bodies, otherwise, start.position());
    }

    private Stmt parseSet() {
        Token start = expectName("set");
        if (current().kind() == Kind.NAME && look().isOperator(".")) {
            String ns = (String) next().value();
            next();
            String attribute = (String) expect(Kind.NAME, "an attribute name").value();
            expectOperator("=");
            return new JinjaNode.AssignNamespace(ns, attribute, parseTuple(false, true, null, false),
                    start.position());
        }
        Expr target = parseAssignTarget(null);
        if (skipOperator("=")) {
            return new JinjaNode.Assign(target, parseTuple(false, true, null, false), start.position());
        }
        Expr filters = withSoft(false, () -> parseFilters(null, false));
        List<Stmt> body = withSoft(false, () -> parseBody(List.of("endset"), start));
        next();
        return new JinjaNode.Capture(target, filters, body, start.position());
    }

    private Stmt parseFilterBlock() {
        Token start = expectName("filter");
        Expr filters = withSoft(false, () -> parseFilters(null, true));
        List<Stmt> body = withSoft(false, () -> parseBody(List.of("endfilter"), start));
        next();
        return new JinjaNode.Capture(null, filters, body, start.position());
    }

    private Stmt parseWith() {
        Token start = expectName("with");
        List<Expr> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (current().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expectOperator(",");
            }
            Expr target = parseAssignTarget(null);
            expectOperator("=");
            targets.add(target);
            values.add(parseExpression(true));
        }
        List<Stmt> body = withSoft(false, () -> parseBody(List.of("endwith"), start));
        next();
        return new JinjaNode.With(targets, values, body, start.position());
    }

    private Expr parseAssignTarget(List<String> extraEnd) {
        Expr target = parseTuple(true, true, extraEnd, false);
        if (!target.assignable()) {
            throw new SyntaxError("cannot assign to this expression", target.position);
        }
        return target;
    }

    // ---------------------------------------------------------------- expressions

    private boolean isTupleEnd(List<String> extraEnd) {
        Token t = current();
        if (t.kind() == Kind.VARIABLE_END || t.kind() == Kind.BLOCK_END || t.isOperator(")")) {
            return true;
        }
        return extraEnd != null && t.kind() == Kind.NAME && extraEnd.contains((String) t.value());
    }

    private Expr parseTuple(boolean simplified, boolean withCondExpr, List<String> extraEnd,
            boolean explicitParentheses) {
        int position = current().position();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            items.add(simplified ? parsePrimary() : parseExpression(withCondExpr));
            if (current().isOperator(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.get(0);
            }
            if (!explicitParentheses) {
                throw fail("expected an expression, got " + current().describe());
            }
        }
        return new JinjaNode.TupleLiteral(items, position);
    }

    private Expr parseExpression(boolean withCondExpr) {
        enter();
        try {
            return withCondExpr ? parseCondExpr() : parseOr();
        } finally {
            leave();
        }
    }

    private Expr parseCondExpr() {
        int position = current().position();
        int mark = unknowns.size();
        Expr expr = parseOr();
        while (skipName("if")) {
            Expr test = withSoft(true, this::parseOr);
            Expr otherwise = null;
            if (skipName("else")) {
                enter();
                try {
                    otherwise = withSoft(true, this::parseCondExpr);
                } finally {
                    leave();
                }
            }
            for (int k = mark; k < unknowns.size(); k++) {
                unknowns.get(k).soft = true;
            }
            expr = new JinjaNode.CondExpr(test, expr, otherwise, position);
            position = current().position();
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (current().isName("or")) {
            int position = next().position();
            left = new JinjaNode.Or(left, parseAnd(), position);
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (current().isName("and")) {
            int position = next().position();
            left = new JinjaNode.And(left, parseNot(), position);
        }
        return left;
    }

    private Expr parseNot() {
        if (current().isName("not")) {
            int position = next().position();
            enter();
            try {
                return new JinjaNode.Not(parseNot(), position);
            } finally {
                leave();
            }
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int position = current().position();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = current();
            if (t.kind() == Kind.OPERATOR && COMPARE_OPS.contains((String) t.value())) {
                next();
                ops.add((String) t.value());
                operands.add(parseMath1());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
                operands.add(parseMath1());
            } else if (t.isName("not") && look().isName("in")) {
                next();
                next();
                ops.add("notin");
                operands.add(parseMath1());
            } else {
                break;
            }
        }
        return ops.isEmpty() ? first : new JinjaNode.Compare(first, ops, operands, position);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (current().isOperator("+") || current().isOperator("-")) {
            Token op = next();
            left = new JinjaNode.Binary((String) op.value(), left, parseConcat(), op.position());
        }
        return left;
    }

    private Expr parseConcat() {
        int position = current().position();
        List<Expr> parts = new ArrayList<>();
        parts.add(parseMath2());
        while (skipOperator("~")) {
            parts.add(parseMath2());
        }
        return parts.size() == 1 ? parts.get(0) : new JinjaNode.Concat(parts, position);
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (current().kind() == Kind.OPERATOR && Set.of("*", "/", "//", "%").contains((String) current().value())) {
            Token op = next();
            left = new JinjaNode.Binary((String) op.value(), left, parsePow(), op.position());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (current().isOperator("**")) {
            Token op = next();
            Expr right = parseUnary(true);
            JinjaNode.Binary pow = new JinjaNode.Binary("**", left, right, op.position());
            // Jinja folds a constant base into a Python literal and emits "(-3 ** x)", which Python reads as
            // -(3 ** x); only a constant exponent folds the whole power with the base's sign
            pow.negativeLiteralBase = JinjaNode.isConstant(left) && !JinjaNode.isConstant(right);
            left = pow;
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = current();
        Expr node;
        enter();
        try {
            if (t.isOperator("-") || t.isOperator("+")) {
                next();
                node = new JinjaNode.Unary((String) t.value(), parseUnary(false), t.position());
            } else {
                node = parsePrimary();
            }
            node = parsePostfix(node);
            if (withFilter) {
                node = parseFilterExpr(node);
            }
            return node;
        } finally {
            leave();
        }
    }

    private Expr parsePrimary() {
        Token t = current();
        switch (t.kind()) {
            case NAME: {
                next();
                String name = (String) t.value();
                switch (name) {
                    case "true":
                    case "True":
                        return new JinjaNode.Const(Boolean.TRUE, t.position());
                    case "false":
                    case "False":
                        return new JinjaNode.Const(Boolean.FALSE, t.position());
                    case "none":
                    case "None":
                        return new JinjaNode.Const(null, t.position());
                    default:
                        return new JinjaNode.Name(name, t.position());
                }
            }
            case STRING: {
                next();
                StringBuilder value = new StringBuilder((String) t.value());
                while (current().kind() == Kind.STRING) {
                    value.append((String) next().value());
                }
                return new JinjaNode.Const(value.toString(), t.position());
            }
            case INTEGER:
            case FLOAT:
                next();
                return new JinjaNode.Const(t.value(), t.position());
            case OPERATOR:
                if (t.isOperator("(")) {
                    next();
                    enter();
                    try {
                        Expr e = parseTuple(false, true, null, true);
                        expectOperator(")");
                        return e;
                    } finally {
                        leave();
                    }
                }
                if (t.isOperator("[")) {
                    return parseList();
                }
                if (t.isOperator("{")) {
                    return parseDict();
                }
                throw fail("unexpected " + t.describe());
            default:
                throw fail("unexpected " + t.describe());
        }
    }

    private Expr parseList() {
        Token start = expectOperator("[");
        List<Expr> items = new ArrayList<>();
        enter();
        try {
            while (!current().isOperator("]")) {
                if (!items.isEmpty()) {
                    expectOperator(",");
                }
                if (current().isOperator("]")) {
                    break;
                }
                items.add(parseExpression(true));
            }
            expectOperator("]");
            return new JinjaNode.ListLiteral(items, start.position());
        } finally {
            leave();
        }
    }

    private Expr parseDict() {
        Token start = expectOperator("{");
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        enter();
        try {
            while (!current().isOperator("}")) {
                if (!keys.isEmpty()) {
                    expectOperator(",");
                }
                if (current().isOperator("}")) {
                    break;
                }
                keys.add(parseExpression(true));
                expectOperator(":");
                values.add(parseExpression(true));
            }
            expectOperator("}");
            return new JinjaNode.DictLiteral(keys, values, start.position());
        } finally {
            leave();
        }
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            Token t = current();
            if (t.isOperator(".") || t.isOperator("[")) {
                node = parseSubscript(node);
            } else if (t.isOperator("(")) {
                node = new JinjaNode.Call(node, parseCallArgs(), node.position);
            } else {
                return node;
            }
        }
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            Token t = current();
            if (t.isOperator("|")) {
                node = parseFilters(node, false);
            } else if (t.isName("is")) {
                node = parseTest(node);
            } else if (t.isOperator("(")) {
                node = new JinjaNode.Call(node, parseCallArgs(), node.position);
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr node) {
        Token t = next();
        if (t.isOperator(".")) {
            Token attribute = next();
            if (attribute.kind() == Kind.NAME) {
                return new JinjaNode.Getattr(node, (String) attribute.value(), t.position());
            }
            if (attribute.kind() != Kind.INTEGER) {
                throw new SyntaxError("expected name or number after '.'", attribute.position());
            }
            return new JinjaNode.Getitem(node, new JinjaNode.Const(attribute.value(), attribute.position()),
                    t.position());
        }
        List<Expr> args = new ArrayList<>();
        enter();
        try {
            while (!current().isOperator("]")) {
                if (!args.isEmpty()) {
                    expectOperator(",");
                }
                args.add(parseSubscribed());
            }
            expectOperator("]");
        } finally {
            leave();
        }
        Expr key = args.size() == 1 ? args.get(0) : new JinjaNode.TupleLiteral(args, t.position());
        return new JinjaNode.Getitem(node, key, t.position());
    }

    private Expr parseSubscribed() {
        int position = current().position();
        Expr start = null;
        if (current().isOperator(":")) {
            next();
        } else {
            Expr e = parseExpression(true);
            if (!current().isOperator(":")) {
                return e;
            }
            next();
            start = e;
        }
        Expr stop = null;
        if (!current().isOperator(":") && !current().isOperator("]") && !current().isOperator(",")) {
            stop = parseExpression(true);
        }
        Expr step = null;
        if (current().isOperator(":")) {
            next();
            if (!current().isOperator("]") && !current().isOperator(",")) {
                step = parseExpression(true);
            }
        }
        return new JinjaNode.SliceExpr(start, stop, step, position);
    }

    private CallArgs parseCallArgs() {
        Token open = expectOperator("(");
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        Expr starArgs = null;
        Expr starKwargs = null;
        boolean requireComma = false;
        enter();
        try {
            while (!current().isOperator(")")) {
                if (requireComma) {
                    expectOperator(",");
                    if (current().isOperator(")")) {
                        break;
                    }
                }
                if (current().isOperator("*")) {
                    if (starArgs != null || starKwargs != null) {
                        throw new SyntaxError("invalid syntax for function call expression", open.position());
                    }
                    next();
                    starArgs = parseExpression(true);
                } else if (current().isOperator("**")) {
                    if (starKwargs != null) {
                        throw new SyntaxError("invalid syntax for function call expression", open.position());
                    }
                    next();
                    starKwargs = parseExpression(true);
                } else if (current().kind() == Kind.NAME && look().isOperator("=")) {
                    if (starKwargs != null) {
                        throw new SyntaxError("invalid syntax for function call expression", open.position());
                    }
                    String key = (String) next().value();
                    next();
                    kwargs.put(key, parseExpression(true));
                } else {
                    if (starArgs != null || starKwargs != null || !kwargs.isEmpty()) {
                        throw new SyntaxError("invalid syntax for function call expression", open.position());
                    }
                    args.add(parseExpression(true));
                }
                requireComma = true;
            }
            expectOperator(")");
        } finally {
            leave();
        }
        return new CallArgs(args, kwargs, starArgs, starKwargs);
    }

    /** One or more {@code |filter(args)}; with {@code startInline} the first filter has no leading pipe. */
    private Expr parseFilters(Expr node, boolean startInline) {
        while (current().isOperator("|") || startInline) {
            if (!startInline) {
                next();
            }
            startInline = false;
            Token name = expect(Kind.NAME, "a filter name");
            StringBuilder dotted = new StringBuilder((String) name.value());
            while (current().isOperator(".")) {
                next();
                dotted.append('.').append((String) expect(Kind.NAME, "a filter name").value());
            }
            String filterName = dotted.toString();
            JinjaFilters.Filter filter = JinjaFilters.filter(filterName);
            if (filter == null) {
                String problem = "no filter named '" + filterName + "'";
                unknowns.add(new Unknown(problem, name.position(), soft));
                filter = (r, v, a) -> {
                    throw new JinjaValues.JinjaError(problem);
                };
            }
            CallArgs args = current().isOperator("(") ? parseCallArgs() : CallArgs.none();
            node = new JinjaNode.FilterExpr(node, filterName, filter, args, name.position());
        }
        return node;
    }

    private Expr parseTest(Expr node) {
        Token is = next();
        boolean negated = skipName("not");
        Token name = expect(Kind.NAME, "a test name");
        StringBuilder dotted = new StringBuilder((String) name.value());
        while (current().isOperator(".")) {
            next();
            dotted.append('.').append((String) expect(Kind.NAME, "a test name").value());
        }
        String testName = dotted.toString();
        JinjaFilters.Test test = JinjaFilters.test(testName);
        if (test == null) {
            String problem = "no test named '" + testName + "'";
            unknowns.add(new Unknown(problem, name.position(), soft));
            test = (r, v, a) -> {
                throw new JinjaValues.JinjaError(problem);
            };
        }
        CallArgs args;
        Token t = current();
        if (t.isOperator("(")) {
            args = parseCallArgs();
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER
                || t.kind() == Kind.FLOAT || t.isOperator("[") || t.isOperator("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw fail("You cannot chain multiple tests with is");
            }
            Expr arg = parsePostfix(parsePrimary());
            args = new CallArgs(List.of(arg), Map.of(), null, null);
        } else {
            args = CallArgs.none();
        }
        Expr result = new JinjaNode.TestExpr(node, testName, test, args, is.position());
        return negated ? new JinjaNode.Not(result, is.position()) : result;
    }
}
