package ai.redstar.verify.math;

import ai.redstar.verify.math.Node.Add;
import ai.redstar.verify.math.Node.Answers;
import ai.redstar.verify.math.Node.Const;
import ai.redstar.verify.math.Node.Div;
import ai.redstar.verify.math.Node.Func;
import ai.redstar.verify.math.Node.Interval;
import ai.redstar.verify.math.Node.Marked;
import ai.redstar.verify.math.Node.Matrix;
import ai.redstar.verify.math.Node.Mul;
import ai.redstar.verify.math.Node.Neg;
import ai.redstar.verify.math.Node.Num;
import ai.redstar.verify.math.Node.PlusMinus;
import ai.redstar.verify.math.Node.Pow;
import ai.redstar.verify.math.Node.Relation;
import ai.redstar.verify.math.Node.Relation.RelOp;
import ai.redstar.verify.math.Node.SetOf;
import ai.redstar.verify.math.Node.SetOp;
import ai.redstar.verify.math.Node.Text;
import ai.redstar.verify.math.Node.Tuple;
import ai.redstar.verify.math.Node.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A recursive-descent parser from tokens to a {@link Node} tree. Every recursive rule passes through
 * {@link #enter()}, which bounds the nesting at {@link Budget#MAX_DEPTH}, so that thousands of nested
 * brackets end in an {@link Budget.Abort} instead of a {@code StackOverflowError}.
 *
 * <p>Grammar, loosest first: list ({@code , ; or and}) &gt; relation ({@code = < \le \in ...}) &gt; set operation
 * ({@code \cup \cap \setminus}) &gt; sum ({@code + - \pm}) &gt; product ({@code * / \cdot}, implicit) &gt; sign
 * &gt; power and postfix ({@code ^ ! \% ^\circ}) &gt; primary. Readings of ambiguous notation: {@code (a, b)} is a
 * tuple (compared as an open interval only against an interval), {@code [a, b]} a closed interval, {@code (a, b]}
 * and {@code [a, b)} half-open intervals; {@code 2\frac{1}{2}} (a whole number followed by a proper fraction
 * of whole numbers) is the mixed number 5/2; {@code \frac12} is 1/2; {@code x^10} is x to the tenth;
 * {@code \log x} is the natural logarithm; {@code e} is Euler's number and {@code i} the imaginary unit.
 * Not thread-safe: one parser per string.
 */
final class Parser {

    /** A parsed answer with the units that were stripped from it. */
    record Parsed(Node node, Set<String> units) {
    }

    /** The answer holds words that cannot be dropped (a negation next to numbers): compared as text. */
    private boolean keepAsText;

    /** Ends a parse whose input is not well formed; carries no stack trace. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private static final Set<String> STOP_WORDS = Set.of(
            "is", "are", "the", "of", "to", "at", "by", "on", "it", "be", "we", "an", "as", "so", "if", "in", "no",
            "yes", "its", "all", "for", "and", "or", "was", "has", "hence", "thus", "therefore");

    /** Words that change the meaning of the numbers around them: an answer holding one is not stripped to its numbers. */
    private static final Set<String> NEGATIONS = Set.of(
            "not", "no", "never", "neither", "nor", "none", "except", "excluding", "without", "undefined", "impossible");

    private static final Set<String> PUNCTUATION = Set.of(",", ".", ";", ":", "(", ")", "!", "?", "'", "\"");

    private final List<Token> tokens;
    private final Budget budget;
    private final Set<String> units = new TreeSet<>();
    private int pos;
    private int depth;
    private int nodes;
    private int absDepth;

    private Parser(List<Token> tokens, Budget budget) {
        this.tokens = tokens;
        this.budget = budget;
    }

    /**
     * Parses one answer; {@code null} when it is not well formed (the caller then compares text).
     *
     * @throws Budget.Abort when the answer is too deep, too large or the time budget runs out
     */
    static Parsed parse(String answer, Budget budget) {
        List<Token> raw = Lexer.lex(answer, budget);
        Parser parser = new Parser(new ArrayList<>(raw.size()), budget);
        Text text = parser.clean(raw);
        if (text != null) {
            return new Parsed(realsByName(text), parser.units);
        }
        if (parser.keepAsText) {
            return null;
        }
        try {
            Node node = parser.top();
            if (Nodes.deeperThan(node, Budget.MAX_TREE_DEPTH)) {
                throw new Budget.Abort(Budget.Cause.TOO_DEEP, "nested deeper than " + Budget.MAX_TREE_DEPTH);
            }
            return new Parsed(node, parser.units);
        } catch (Failure failure) {
            return null;
        }
    }

    // ---------------------------------------------------------------- pre-pass: units, words, layout

    /**
     * Copies the tokens into {@link #tokens} without units, filler words and layout ampersands, turning
     * "percent" and "degrees" into their signs. Returns the answer as {@link Text} when it holds only words.
     */
    private Text clean(List<Token> raw) {
        List<String> words = new ArrayList<>();
        boolean mathLeft = false;
        boolean dropped = false;
        int matrices = 0;
        for (int i = 0; i < raw.size(); i++) {
            budget.tick();
            Token t = raw.get(i);
            if (t.is("\\begin{matrix}")) {
                matrices++;
            } else if (t.is("\\end{matrix}")) {
                matrices = Math.max(0, matrices - 1);
            } else if (t.is("&") && matrices == 0) {
                continue;
            }
            if (t.kind() == Token.Kind.WORD) {
                String lower = t.text().toLowerCase(Locale.ROOT);
                if (lower.equals("or") || lower.equals("and")) {
                    tokens.add(Token.word(lower, true));
                    dropped = false;
                    continue;
                }
                if (lower.equals("percent") || lower.equals("percentage") || lower.equals("pct")) {
                    tokens.add(Token.symbol("%"));
                    continue;
                }
                if (lower.equals("degree") || lower.equals("degrees") || lower.equals("deg")) {
                    tokens.add(Token.command("\\circ"));
                    continue;
                }
                Token next = raw.get(Math.min(i + 1, raw.size() - 1));
                boolean function = Functions.canonical(lower) != null && !t.fromText()
                        && (next.is("(") || next.is("{") || next.is("^") || startsOperand(next));
                String unit = function ? null : Units.canonical(t.text(), t.fromText());
                if (unit != null && (t.fromText() || t.text().equals("$") || endsOperand(previous())
                        || Functions.canonical(lower) == null)) {
                    units.add(unit);
                    i = skipUnitTail(raw, i);
                    dropped = true;
                    continue;
                }
                if (!function && isWordy(t, lower)) {
                    words.add(t.text());
                    dropped = true;
                    continue;
                }
            }
            if (t.kind() != Token.Kind.END && !PUNCTUATION.contains(t.text())) {
                mathLeft = true;
            }
            if (dropped && endsOperand(previous()) && startsOperand(t)) {
                tokens.add(Token.symbol(","));
            }
            dropped = false;
            tokens.add(t);
        }
        if (!mathLeft && !words.isEmpty()) {
            return new Text(String.join(" ", words));
        }
        for (String word : words) {
            if (NEGATIONS.contains(word.toLowerCase(Locale.ROOT))) {
                keepAsText = true;
            }
        }
        return null;
    }

    /** "All real numbers" is the interval {@code (-\infty, \infty)}; other text stays text. */
    private static Node realsByName(Text text) {
        String t = text.text().toLowerCase(Locale.ROOT).trim();
        if (t.equals("all real numbers") || t.equals("all reals") || t.equals("all real values")
                || t.equals("all real x") || t.equals("real numbers")) {
            Node infinity = new Const(Const.Kind.INFINITY);
            return new Interval(new Neg(infinity), infinity, false, false);
        }
        return text;
    }

    private Token previous() {
        return tokens.isEmpty() ? Token.END : tokens.get(tokens.size() - 1);
    }

    /**
     * Words that are not mathematics: four letters or more, two or more inside {@code \text}, or a filler word.
     * Shorter bare words such as {@code xy} or {@code abc} are products of variables.
     */
    private static boolean isWordy(Token t, String lower) {
        if (lower.startsWith("\\") || lower.equals("pi") || lower.equals("inf") || lower.equals("oo")
                || lower.equals("infinity") || lower.equals("infty")) {
            return false;
        }
        if (Functions.canonical(lower) != null && !t.fromText()) {
            return false;
        }
        int length = t.text().length();
        return length >= 4 || t.fromText() && length >= 2 || STOP_WORDS.contains(lower);
    }

    /** Skips {@code ^2}, {@code ^{3}}, {@code /s}, {@code \cdot s} and similar after a unit; returns the last index used. */
    private int skipUnitTail(List<Token> raw, int i) {
        while (i + 2 < raw.size()) {
            Token a = raw.get(i + 1);
            Token b = raw.get(i + 2);
            if (a.is("^") && b.kind() == Token.Kind.NUMBER) {
                i += 2;
            } else if (a.is("^") && b.is("{") && i + 4 < raw.size() && raw.get(i + 3).kind() == Token.Kind.NUMBER
                    && raw.get(i + 4).is("}")) {
                i += 4;
            } else if ((a.is("/") || a.is("*")) && b.kind() == Token.Kind.WORD
                    && Units.canonical(b.text(), b.fromText() || b.text().length() == 1) != null) {
                units.add(Units.canonical(b.text(), true));
                i += 2;
            } else {
                break;
            }
        }
        return i;
    }

    private static boolean endsOperand(Token t) {
        return t.kind() == Token.Kind.NUMBER || t.kind() == Token.Kind.WORD && !isConnector(t)
                || t.is(")") || t.is("]") || t.is("}") || t.is("\\}") || t.is("!") || t.is("%") || t.is("|")
                || t.is("\\pi") || t.is("\\infty") || t.is("\\circ");
    }

    private boolean startsImplicit(Token t) {
        if (t.kind() == Token.Kind.SYMBOL) {
            return t.is("(") || t.is("{") || t.is("|") && absDepth == 0;
        }
        return startsOperand(t);
    }

    private static boolean startsOperand(Token t) {
        switch (t.kind()) {
            case NUMBER:
                return true;
            case WORD:
                return !isConnector(t);
            case COMMAND:
                String c = t.text();
                return c.equals("\\frac") || c.equals("\\sqrt") || c.equals("\\binom") || c.equals("\\pi")
                        || c.equals("\\infty") || c.equals("\\lfloor") || c.equals("\\lceil")
                        || c.equals("\\begin{matrix}") || c.equals("\\exp") || Functions.canonical(c) != null
                        || isVariableCommand(c);
            case SYMBOL:
                return t.is("(") || t.is("{");
            default:
                return false;
        }
    }

    private static boolean isConnector(Token t) {
        return t.kind() == Token.Kind.WORD && (t.text().equals("or") || t.text().equals("and"));
    }

    /** Commands that are not operators or structure: Greek letters and unknown names, read as variables. */
    private static boolean isVariableCommand(String c) {
        return switch (c) {
            case "\\frac", "\\sqrt", "\\binom", "\\pi", "\\infty", "\\lfloor", "\\rfloor", "\\lceil", "\\rceil",
                    "\\begin{matrix}", "\\end{matrix}", "\\approx", "\\pm", "\\mp", "\\le", "\\ge", "\\ne", "\\in", "\\cup",
                    "\\cap", "\\setminus", "\\circ", "\\ldots", "\\emptyset", "\\to", "\\exp", "\\notin",
                    "\\forall", "\\exists", "\\quad", "\\sum", "\\prod", "\\int", "\\lim", "\\partial",
                    "\\nabla", "\\perp", "\\parallel", "\\angle", "\\triangle", "\\overline", "\\dot", "\\mod",
                    "\\pmod", "\\bmod", "\\subset", "\\subseteq", "\\supset", "\\cdots" -> false;
            default -> Functions.canonical(c) == null;
        };
    }

    // ---------------------------------------------------------------- helpers

    private Token peek() {
        return tokens.get(Math.min(pos, tokens.size() - 1));
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = peek();
        if (pos < tokens.size() - 1) {
            pos++;
        }
        return t;
    }

    private boolean accept(String symbol) {
        if (peek().is(symbol)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String symbol) {
        if (!accept(symbol)) {
            throw new Failure("expected " + symbol + " but found '" + peek() + "'");
        }
    }

    private void enter() {
        if (++depth > Budget.MAX_DEPTH) {
            throw new Budget.Abort(Budget.Cause.TOO_DEEP, "nested too deeply");
        }
        budget.tick();
    }

    private void exit() {
        depth--;
    }

    private <N extends Node> N made(N node) {
        if (++nodes > Budget.MAX_NODES) {
            throw new Budget.Abort(Budget.Cause.TOO_LARGE, "more than " + Budget.MAX_NODES + " nodes");
        }
        return node;
    }

    private static Failure failure(String message) {
        return new Failure(message);
    }

    // ---------------------------------------------------------------- grammar

    private Node top() {
        while (peek().is(",") || peek().is(":") || peek().is(";") || isConnector(peek())) {
            next();
        }
        List<Node> items = new ArrayList<>();
        items.add(relation());
        while (separator(peek())) {
            while (separator(peek())) {
                next();
            }
            if (peek().kind() == Token.Kind.END || peek().is(".")) {
                break;
            }
            items.add(relation());
        }
        while (peek().is(".") || peek().is("!") || peek().is("?")) {
            next();
        }
        if (peek().kind() != Token.Kind.END) {
            throw failure("unexpected '" + peek() + "'");
        }
        return items.size() == 1 ? items.get(0) : made(new Answers(List.copyOf(items)));
    }

    private static boolean separator(Token t) {
        return t.is(",") || t.is(";") || t.is("\\\\") || isConnector(t);
    }

    private static RelOp relationOperator(Token t) {
        if (t.kind() != Token.Kind.SYMBOL && t.kind() != Token.Kind.COMMAND) {
            return null;
        }
        return switch (t.text()) {
            case "=" -> RelOp.EQ;
            case "\\approx" -> RelOp.APPROX;
            case "<" -> RelOp.LT;
            case ">" -> RelOp.GT;
            case "\\le" -> RelOp.LE;
            case "\\ge" -> RelOp.GE;
            case "\\ne" -> RelOp.NE;
            case "\\in" -> RelOp.IN;
            default -> null;
        };
    }

    private Node relation() {
        enter();
        try {
            Node first = setExpression();
            RelOp op = relationOperator(peek());
            if (op == null) {
                return first;
            }
            List<Node> operands = new ArrayList<>();
            List<RelOp> operators = new ArrayList<>();
            operands.add(first);
            while (op != null) {
                next();
                operators.add(op);
                operands.add(setExpression());
                op = relationOperator(peek());
            }
            return made(new Relation(List.copyOf(operands), List.copyOf(operators)));
        } finally {
            exit();
        }
    }

    private Node setExpression() {
        Node left = sum();
        while (true) {
            SetOp.Operator op;
            if (accept("\\cup")) {
                op = SetOp.Operator.UNION;
            } else if (accept("\\cap")) {
                op = SetOp.Operator.INTERSECTION;
            } else if (accept("\\setminus")) {
                op = SetOp.Operator.DIFFERENCE;
            } else if (peek().kind() == Token.Kind.WORD && peek().text().equals("U") && setLike(left)) {
                next();
                op = SetOp.Operator.UNION;
            } else {
                return left;
            }
            left = made(new SetOp(op, left, sum()));
        }
    }

    private static boolean setLike(Node node) {
        return node instanceof Interval || node instanceof SetOf || node instanceof SetOp || node instanceof Tuple;
    }

    private Node sum() {
        enter();
        try {
            List<Node> terms = new ArrayList<>();
            terms.add(term());
            while (true) {
                if (accept("+")) {
                    terms.add(term());
                } else if (accept("-")) {
                    terms.add(made(new Neg(term())));
                } else if (peek().is("\\pm") || peek().is("\\mp")) {
                    boolean minusPlus = next().is("\\mp");
                    Node left = terms.size() == 1 ? terms.get(0) : made(new Add(List.copyOf(terms)));
                    terms.clear();
                    terms.add(made(new PlusMinus(left, term(), minusPlus)));
                } else {
                    break;
                }
            }
            return terms.size() == 1 ? terms.get(0) : made(new Add(List.copyOf(terms)));
        } finally {
            exit();
        }
    }

    private Node term() {
        List<Node> factors = new ArrayList<>();
        factors.add(unary());
        while (true) {
            budget.tick();
            Token t = peek();
            if (t.is("*")) {
                next();
                factors.add(unary());
            } else if (t.is("/") || t.is(":") && factors.size() >= 1 && startsOperand(peek(1))) {
                next();
                Node numerator = factors.size() == 1 ? factors.get(0) : made(new Mul(List.copyOf(factors)));
                factors.clear();
                factors.add(made(new Div(numerator, unary())));
            } else if (startsImplicit(t)) {
                boolean fraction = t.is("\\frac");
                Node factor = power();
                Node last = factors.get(factors.size() - 1);
                if (fraction && factors.size() == 1 && isWhole(last) && isProperFraction(factor)) {
                    factors.set(0, made(new Add(List.of(last, factor))));
                } else if (fraction && factors.size() == 1 && last instanceof Neg neg && isWhole(neg.operand())
                        && isProperFraction(factor)) {
                    factors.set(0, made(new Neg(made(new Add(List.of(neg.operand(), factor))))));
                } else {
                    factors.add(factor);
                }
            } else {
                break;
            }
        }
        return factors.size() == 1 ? factors.get(0) : made(new Mul(List.copyOf(factors)));
    }

    private static boolean isWhole(Node node) {
        return node instanceof Num n && !n.approximate() && n.value() != null && n.value().isInteger()
                && n.value().signum() > 0;
    }

    private static boolean isProperFraction(Node node) {
        return node instanceof Div d && isWhole(d.numerator()) && isWhole(d.denominator())
                && ((Num) d.numerator()).value().compareTo(((Num) d.denominator()).value()) < 0;
    }

    private Node unary() {
        Token t = peek();
        if (t.is("-") || t.is("+") || t.is("\\pm") || t.is("\\mp")) {
            next();
            enter();
            try {
                Node operand = unary();
                if (t.is("-")) {
                    return made(new Neg(operand));
                } else if (t.is("+")) {
                    return operand;
                }
                return made(new PlusMinus(null, operand, t.is("\\mp")));
            } finally {
                exit();
            }
        }
        return power();
    }

    private Node power() {
        Node base = primary();
        while (true) {
            budget.tick();
            if (peek().is("^")) {
                next();
                if (accept("\\circ")) {
                    base = made(new Marked(base, Marked.Marker.DEGREE));
                } else if (peek().is("{") && peek(1).is("\\circ") && peek(2).is("}")) {
                    pos += 3;
                    base = made(new Marked(base, Marked.Marker.DEGREE));
                } else {
                    base = made(new Pow(base, exponent()));
                }
            } else if (accept("\\circ")) {
                base = made(new Marked(base, Marked.Marker.DEGREE));
            } else if (accept("%")) {
                base = made(new Marked(base, Marked.Marker.PERCENT));
            } else if (accept("!")) {
                base = made(new Func("fact", List.of(base)));
            } else if (peek().is("'") && base instanceof Var v) {
                next();
                base = made(new Var(v.name() + "'"));
            } else {
                return base;
            }
        }
    }

    private Node exponent() {
        enter();
        try {
            Node e;
            Token t = peek();
            if (t.is("{")) {
                next();
                e = relationFreeSum();
                expect("}");
            } else if (t.is("-") || t.is("+")) {
                next();
                Node operand = exponent();
                return t.is("-") ? made(new Neg(operand)) : operand;
            } else if (t.kind() == Token.Kind.NUMBER) {
                next();
                e = number(t);
            } else {
                e = primary();
            }
            if (peek().is("^")) {
                next();
                e = made(new Pow(e, exponent()));
            }
            return e;
        } finally {
            exit();
        }
    }

    private Node relationFreeSum() {
        Node node = sum();
        if (relationOperator(peek()) != null) {
            throw failure("relation inside a group");
        }
        return node;
    }

    private Num number(Token t) {
        return made(new Num(t.number(), t.text(), t.approximate()));
    }

    private Node primary() {
        enter();
        try {
            Token t = next();
            switch (t.kind()) {
                case NUMBER:
                    return number(t);
                case WORD:
                    return word(t);
                case COMMAND:
                    return command(t);
                case SYMBOL:
                    return symbol(t);
                default:
                    throw failure("the answer ends too early");
            }
        } finally {
            exit();
        }
    }

    private Node symbol(Token t) {
        switch (t.text()) {
            case "(":
            case "[":
                return bracket(t.text());
            case "{": {
                if (accept("}")) {
                    throw failure("empty group");
                }
                List<Node> items = list();
                expect("}");
                return items.size() == 1 ? items.get(0) : made(new SetOf(List.copyOf(items)));
            }
            case "\\{": {
                if (accept("\\}")) {
                    return made(new SetOf(List.of()));
                }
                List<Node> items = list();
                expect("\\}");
                return made(new SetOf(List.copyOf(items)));
            }
            case "|": {
                absDepth++;
                Node inner = sum();
                absDepth--;
                expect("|");
                return made(new Func("abs", List.of(inner)));
            }
            default:
                throw failure("unexpected '" + t + "'");
        }
    }

    private List<Node> list() {
        List<Node> items = new ArrayList<>();
        items.add(relation());
        while (accept(",") || accept(";")) {
            items.add(relation());
        }
        return items;
    }

    private Node bracket(String open) {
        if (open.equals("(") && accept(")")) {
            return made(new Tuple(List.of()));
        }
        int savedAbs = absDepth;
        absDepth = 0;
        List<Node> items = list();
        absDepth = savedAbs;
        Token close = next();
        if (!close.is(")") && !close.is("]")) {
            throw failure("unclosed " + open);
        }
        boolean lowClosed = open.equals("[");
        boolean highClosed = close.is("]");
        if (items.size() == 1) {
            if (lowClosed == highClosed) {
                return items.get(0);
            }
            throw failure("mismatched brackets");
        }
        if (!lowClosed && !highClosed) {
            return made(new Tuple(List.copyOf(items)));
        }
        if (items.size() == 2) {
            return made(new Interval(items.get(0), items.get(1), lowClosed, highClosed));
        }
        if (lowClosed && highClosed) {
            return made(new Tuple(List.copyOf(items)));
        }
        throw failure("mismatched brackets");
    }

    private Node word(Token t) {
        String w = t.text();
        String lower = w.toLowerCase(Locale.ROOT);
        if (isConnector(t)) {
            throw failure("unexpected '" + w + "'");
        }
        String function = Functions.canonical(lower);
        if (function != null) {
            return function(function);
        }
        switch (lower) {
            case "pi":
                return made(new Const(Const.Kind.PI));
            case "inf":
            case "infinity":
            case "infty":
            case "oo":
                return made(new Const(Const.Kind.INFINITY));
            default:
                break;
        }
        if (w.startsWith("\\mathbb{")) {
            if (w.equals("\\mathbb{R}")) {
                Node infinity = made(new Const(Const.Kind.INFINITY));
                return made(new Interval(made(new Neg(infinity)), infinity, false, false));
            }
            return subscripted(w);
        }
        if (w.length() == 1) {
            return letter(w);
        }
        if (w.length() <= 3) {
            // "xy" is x times y; the last letter takes any subscript
            List<Node> factors = new ArrayList<>();
            for (int i = 0; i < w.length() - 1; i++) {
                factors.add(letterConstant(w.substring(i, i + 1)));
            }
            factors.add(letter(w.substring(w.length() - 1)));
            return made(new Mul(List.copyOf(factors)));
        }
        throw failure("unknown word '" + w + "'");
    }

    private Node letterConstant(String letter) {
        if (letter.equals("e")) {
            return made(new Const(Const.Kind.E));
        }
        if (letter.equals("i")) {
            return made(new Const(Const.Kind.I));
        }
        return made(new Var(letter));
    }

    private Node letter(String letter) {
        if ((letter.equals("e") || letter.equals("i")) && !peek().is("_")) {
            return letterConstant(letter);
        }
        return subscripted(letter);
    }

    /** A variable, with its subscript if one follows: {@code x_1}, {@code a_{n+1}}. */
    private Node subscripted(String name) {
        if (!peek().is("_")) {
            return made(new Var(name));
        }
        next();
        StringBuilder sub = new StringBuilder();
        if (accept("{")) {
            int level = 1;
            while (true) {
                Token t = next();
                budget.tick();
                if (t.kind() == Token.Kind.END) {
                    throw failure("unclosed subscript");
                }
                if (t.is("{")) {
                    level++;
                } else if (t.is("}") && --level == 0) {
                    break;
                }
                sub.append(t.text());
                if (sub.length() > 64) {
                    throw failure("subscript too long");
                }
            }
        } else {
            Token t = next();
            if (t.kind() != Token.Kind.NUMBER && t.kind() != Token.Kind.WORD && t.kind() != Token.Kind.COMMAND) {
                throw failure("bad subscript");
            }
            sub.append(t.text());
        }
        return made(new Var(name + "_{" + sub + "}"));
    }

    private Node command(Token t) {
        String c = t.text();
        switch (c) {
            case "\\frac": {
                Node numerator = argument();
                Node denominator = argument();
                return made(new Div(numerator, denominator));
            }
            case "\\binom": {
                Node n = argument();
                Node k = argument();
                return made(new Func("binom", List.of(n, k)));
            }
            case "\\sqrt": {
                if (accept("[")) {
                    Node index = relationFreeSum();
                    expect("]");
                    Node radicand = argument();
                    if (index instanceof Num n && n.value() != null && n.value().equals(Rational.of(2))) {
                        return made(new Func("sqrt", List.of(radicand)));
                    }
                    return made(new Func("root", List.of(radicand, index)));
                }
                return made(new Func("sqrt", List.of(argument())));
            }
            case "\\pi":
                return made(new Const(Const.Kind.PI));
            case "\\infty":
                return made(new Const(Const.Kind.INFINITY));
            case "\\emptyset":
                return made(new SetOf(List.of()));
            case "\\lfloor": {
                Node inner = sum();
                expect("\\rfloor");
                return made(new Func("floor", List.of(inner)));
            }
            case "\\lceil": {
                Node inner = sum();
                expect("\\rceil");
                return made(new Func("ceil", List.of(inner)));
            }
            case "\\begin{matrix}":
                return matrix();
            default:
                break;
        }
        String function = Functions.canonical(c);
        if (function != null) {
            return function(function);
        }
        if (isVariableCommand(c)) {
            return subscripted(c);
        }
        throw failure("unexpected '" + c + "'");
    }

    /** The argument of {@code \frac}, {@code \sqrt} or {@code \binom}: a braced group or one character. */
    private Node argument() {
        Token t = peek();
        if (t.is("{")) {
            next();
            Node node = relationFreeSum();
            expect("}");
            return node;
        }
        if (t.kind() == Token.Kind.NUMBER && t.text().length() > 1 && isDigits(t.text())) {
            // \frac12: the first digit is the argument, the rest stays for what follows
            String text = t.text();
            tokens.set(pos, new Token(Token.Kind.NUMBER, text.substring(1),
                    Rational.of(new java.math.BigInteger(text.substring(1))), false, t.fromText()));
            return made(new Num(Rational.of(text.charAt(0) - '0'), text.substring(0, 1), false));
        }
        if (t.kind() == Token.Kind.WORD && t.text().length() > 1 && !t.text().startsWith("\\")) {
            String text = t.text();
            tokens.set(pos, Token.word(text.substring(1), t.fromText()));
            return letterConstant(text.substring(0, 1));
        }
        if (t.kind() == Token.Kind.NUMBER || t.kind() == Token.Kind.WORD || t.kind() == Token.Kind.COMMAND) {
            return primary();
        }
        throw failure("missing argument");
    }

    private static boolean isDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private Node function(String name) {
        Node power = null;
        if (peek().is("^")) {
            next();
            power = exponent();
            if (power instanceof Neg neg && neg.operand() instanceof Num n && n.value() != null
                    && n.value().equals(Rational.ONE) && Functions.inverse(name) != null) {
                name = Functions.inverse(name);
                power = null;
            }
        }
        Node base = null;
        if ((name.equals("log")) && accept("_")) {
            if (accept("{")) {
                base = relationFreeSum();
                expect("}");
            } else {
                base = primary();
            }
        }
        List<Node> args;
        if (peek().is("(")) {
            next();
            args = list();
            expect(")");
        } else if (peek().is("{")) {
            next();
            args = List.of(relationFreeSum());
            expect("}");
        } else if (startsImplicit(peek())) {
            List<Node> factors = new ArrayList<>();
            factors.add(power());
            while (startsImplicit(peek()) && !startsFunction(peek())) {
                factors.add(power());
            }
            args = List.of(factors.size() == 1 ? factors.get(0) : made(new Mul(List.copyOf(factors))));
        } else {
            throw failure(name + " without an argument");
        }
        if (args.size() != 1 && !Functions.variadic(name)) {
            throw failure(name + " takes one argument");
        }
        Node node;
        if (name.equals("lg")) {
            node = made(new Func("log", List.of(args.get(0), Nodes.integer(10))));
        } else if (name.equals("cbrt")) {
            node = made(new Func("root", List.of(args.get(0), Nodes.integer(3))));
        } else if (base != null) {
            node = made(new Func("log", List.of(args.get(0), base)));
        } else {
            node = made(new Func(name, List.copyOf(args)));
        }
        return power == null ? node : made(new Pow(node, power));
    }

    private static boolean startsFunction(Token t) {
        return (t.kind() == Token.Kind.WORD || t.kind() == Token.Kind.COMMAND) && Functions.canonical(t.text()) != null;
    }

    private Node matrix() {
        List<List<Node>> rows = new ArrayList<>();
        List<Node> row = new ArrayList<>();
        while (true) {
            budget.tick();
            if (accept("\\end{matrix}")) {
                break;
            }
            if (peek().kind() == Token.Kind.END) {
                throw failure("unclosed matrix");
            }
            row.add(relation());
            if (accept("&")) {
                continue;
            }
            if (accept("\\\\")) {
                rows.add(List.copyOf(row));
                row.clear();
                continue;
            }
            if (!peek().is("\\end{matrix}")) {
                throw failure("unexpected '" + peek() + "' in a matrix");
            }
        }
        if (!row.isEmpty()) {
            rows.add(List.copyOf(row));
        }
        if (rows.isEmpty()) {
            throw failure("empty matrix");
        }
        int width = rows.get(0).size();
        for (List<Node> r : rows) {
            if (r.size() != width) {
                throw failure("matrix rows of different lengths");
            }
        }
        return made(new Matrix(List.copyOf(rows)));
    }
}
