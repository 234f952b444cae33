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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether two parsed answers are equal. The relation is symmetric: every rule is applied the same way
 * whichever side is the gold.
 *
 * <p>Order of decisions: identical trees; {@code ±} expanded into two answers; lists, sets, tuples, matrices,
 * intervals, relations and text compared by structure; scalars compared exactly over the rationals, then as
 * complex values with a rounding-error bound, then (with free variables) at ten sample points shared by both
 * sides. Decimals alone get the relative tolerance. Not thread-safe: one instance per grading call.
 */
final class Equivalence {

    /** Safety factor on the propagated rounding-error bounds. */
    private static final double ERROR_FACTOR = 16;
    /** Sample points needed (where both sides are defined) to call two functions equal. */
    private static final int MIN_POINTS = 3;
    /** Most {@code ±} signs expanded (2^4 = 16 answers). */
    private static final int MAX_PLUS_MINUS = 4;
    /** Most items in a list, set or tuple compared item by item (the comparison is quadratic). */
    static final int MAX_ITEMS = 256;

    /** The result of one comparison: an outcome and, when useful, why. */
    record Decision(Outcome outcome, String detail) {
        boolean equal() {
            return outcome.equal();
        }

        boolean undecided() {
            return outcome.kind() == Outcome.Kind.UNDECIDED;
        }
    }

    private static final Decision SAME = new Decision(Outcome.SAME_FORM, "identical normal form");

    private final double tolerance;
    private final Rational exactTolerance;
    private final PercentPolicy percent;
    private final Budget budget;
    private final Evaluator evaluator;
    private final Precise precise;

    Equivalence(double relativeTolerance, PercentPolicy percent, Budget budget) {
        this.tolerance = relativeTolerance;
        java.math.BigDecimal decimal = java.math.BigDecimal.valueOf(relativeTolerance);
        this.exactTolerance = Rational.ofDecimal(decimal.unscaledValue(), decimal.scale());
        this.percent = percent;
        this.budget = budget;
        this.evaluator = new Evaluator(budget);
        this.precise = new Precise(budget, evaluator);
    }

    private static Decision different(String detail) {
        return new Decision(Outcome.DIFFERENT, detail);
    }

    private static Decision undecided(String detail) {
        return new Decision(Outcome.UNDECIDED, detail);
    }

    /** Strength of an equal outcome for combining: a composite is as weak as its weakest part. */
    private static int strength(Outcome outcome) {
        return switch (outcome) {
            case SAME_FORM -> 6;
            case EQUAL_EXACT -> 5;
            case EQUAL_TEXT -> 4;
            case EQUAL_VALUE -> 3;
            case EQUAL_FUNCTION -> 2;
            case EQUAL_WITHIN_TOLERANCE -> 1;
            default -> 0;
        };
    }

    /** Either reading may hold: the better of two decisions. */
    private static Decision either(Decision a, Decision b) {
        if (a.equal() || b.equal()) {
            return a.equal() ? a : b;
        }
        return a.undecided() ? a : b.undecided() ? b : a;
    }

    // ---------------------------------------------------------------- entry

    /** Whether two answers are equal. */
    Decision same(Node a, Node b) {
        budget.tick();
        if (a.equals(b)) {
            return SAME;
        }
        boolean plusMinusA = Nodes.any(a, n -> n instanceof PlusMinus);
        boolean plusMinusB = Nodes.any(b, n -> n instanceof PlusMinus);
        if (plusMinusA || plusMinusB) {
            Node expandedA = plusMinusA ? expand(a) : a;
            Node expandedB = plusMinusB ? expand(b) : b;
            if (expandedA == null || expandedB == null) {
                return undecided("too many \\pm signs");
            }
            return same(expandedA, expandedB);
        }
        if (a instanceof Answers || b instanceof Answers) {
            return a instanceof Answers la ? answers(la, b) : answers((Answers) b, a);
        }
        if (a instanceof Marked || b instanceof Marked) {
            return marked(a, b);
        }
        if (a instanceof Relation || b instanceof Relation) {
            if (a instanceof Relation ra && b instanceof Relation rb) {
                return relations(ra, rb);
            }
            return a instanceof Relation ra ? relationAndValue(ra, b) : relationAndValue((Relation) b, a);
        }
        if (isIntervalLike(a) || isIntervalLike(b)) {
            return realSets(a, b);
        }
        if (a instanceof Text || b instanceof Text) {
            return a instanceof Text ta && b instanceof Text tb ? text(ta, tb) : different("text against mathematics");
        }
        if (a instanceof SetOf sa && b instanceof SetOf sb) {
            return sets(sa.items(), sb.items());
        }
        if (a instanceof SetOf sa && sa.items().size() == 1 && Nodes.scalar(b)) {
            return same(sa.items().get(0), b);
        }
        if (b instanceof SetOf sb && sb.items().size() == 1 && Nodes.scalar(a)) {
            return same(a, sb.items().get(0));
        }
        if (a instanceof Tuple || a instanceof Matrix || b instanceof Tuple || b instanceof Matrix) {
            return sequences(a, b);
        }
        if (!Nodes.scalar(a) || !Nodes.scalar(b)) {
            return different(kind(a) + " against " + kind(b));
        }
        return scalars(a, b);
    }

    private static String kind(Node node) {
        if (node instanceof Tuple) {
            return "a tuple";
        } else if (node instanceof SetOf) {
            return "a set";
        } else if (node instanceof Interval || node instanceof SetOp) {
            return "an interval";
        } else if (node instanceof Matrix) {
            return "a matrix";
        } else if (node instanceof Relation) {
            return "a relation";
        } else if (node instanceof Answers) {
            return "a list";
        } else if (node instanceof Text) {
            return "text";
        }
        return "a value";
    }

    // ---------------------------------------------------------------- lists, sets, sequences

    private Decision answers(Answers list, Node other) {
        if (other instanceof Answers otherList) {
            return multisets(list.items(), otherList.items());
        }
        if (other instanceof SetOf set) {
            return sets(list.items(), set.items());
        }
        if (other instanceof Tuple tuple) {
            return pairwise(list.items(), tuple.items());
        }
        if (isIntervalLike(other)) {
            return realSets(list, other);
        }
        return different(list.items().size() + " answers against one");
    }

    /** Equal when every item of each side equals some item of the other (order and repetition free). */
    private Decision sets(List<Node> a, List<Node> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return a.isEmpty() && b.isEmpty() ? SAME : different("an empty set against a non-empty one");
        }
        Decision[][] table = table(a, b);
        Decision result = SAME;
        for (int i = 0; i < a.size(); i++) {
            result = weakest(result, best(table[i]));
        }
        for (int j = 0; j < b.size(); j++) {
            Decision[] column = new Decision[a.size()];
            for (int i = 0; i < a.size(); i++) {
                column[i] = table[i][j];
            }
            result = weakest(result, best(column));
        }
        return result;
    }

    /** Equal when the items can be paired one to one (order free, repetition counted). */
    private Decision multisets(List<Node> a, List<Node> b) {
        if (a.size() != b.size()) {
            return different(a.size() + " answers against " + b.size());
        }
        Decision[][] table = table(a, b);
        if (perfectMatching(table, false, budget)) {
            Decision result = SAME;
            for (Decision[] row : table) {
                Decision best = null;
                for (Decision d : row) {
                    if (d.equal() && (best == null || strength(d.outcome()) < strength(best.outcome()))) {
                        best = d;
                    }
                }
                result = weakest(result, best);
            }
            return result;
        }
        if (perfectMatching(table, true, budget)) {
            return undecided("some answers could not be compared");
        }
        return different("the answers cannot be paired");
    }

    private Decision[][] table(List<Node> a, List<Node> b) {
        if (a.size() > MAX_ITEMS || b.size() > MAX_ITEMS) {
            throw new Budget.Abort(Budget.Cause.TOO_LARGE, "more than " + MAX_ITEMS + " items in a list or set");
        }
        Decision[][] table = new Decision[a.size()][b.size()];
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < b.size(); j++) {
                table[i][j] = same(a.get(i), b.get(j));
            }
        }
        return table;
    }

    /**
     * Kuhn's augmenting paths over the table (after a greedy first assignment, so that the common cases cost
     * one pass); whether a perfect matching exists is symmetric in rows and columns.
     */
    private static boolean perfectMatching(Decision[][] table, boolean allowUndecided, Budget budget) {
        int rows = table.length;
        int columns = rows == 0 ? 0 : table[0].length;
        int[] owner = new int[columns];
        boolean[] matched = new boolean[rows];
        Arrays.fill(owner, -1);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                if (owner[c] < 0 && usable(table[r][c], allowUndecided)) {
                    owner[c] = r;
                    matched[r] = true;
                    break;
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            if (!matched[r] && !augment(table, r, new boolean[columns], owner, allowUndecided, budget)) {
                return false;
            }
        }
        return true;
    }

    private static boolean usable(Decision d, boolean allowUndecided) {
        return d.equal() || allowUndecided && d.undecided();
    }

    private static boolean augment(Decision[][] table, int row, boolean[] seen, int[] owner, boolean allowUndecided,
            Budget budget) {
        for (int c = 0; c < owner.length; c++) {
            budget.tick();
            if (!seen[c] && usable(table[row][c], allowUndecided)) {
                seen[c] = true;
                if (owner[c] < 0 || augment(table, owner[c], seen, owner, allowUndecided, budget)) {
                    owner[c] = row;
                    return true;
                }
            }
        }
        return false;
    }

    private static Decision best(Decision[] candidates) {
        Decision best = null;
        for (Decision d : candidates) {
            best = best == null ? d : either(best, d);
            if (best.equal() && strength(best.outcome()) < strength(d.outcome()) && d.equal()) {
                best = d;
            }
        }
        return best;
    }

    /** Both must hold: the weaker of two decisions. */
    private static Decision weakest(Decision a, Decision b) {
        if (!a.equal() || !b.equal()) {
            if (a.outcome() == Outcome.DIFFERENT || a.outcome() == Outcome.DIFFERENT_UNITS) {
                return a;
            }
            if (b.outcome() == Outcome.DIFFERENT || b.outcome() == Outcome.DIFFERENT_UNITS) {
                return b;
            }
            return a.equal() ? b : a;
        }
        return strength(a.outcome()) <= strength(b.outcome()) ? a : b;
    }

    private Decision pairwise(List<Node> a, List<Node> b) {
        if (a.size() > MAX_ITEMS * MAX_ITEMS) {
            throw new Budget.Abort(Budget.Cause.TOO_LARGE, "too many components");
        }
        if (a.size() != b.size()) {
            return different(a.size() + " components against " + b.size());
        }
        Decision result = SAME;
        for (int i = 0; i < a.size(); i++) {
            Decision d = same(a.get(i), b.get(i));
            if (d.outcome() == Outcome.DIFFERENT) {
                return different("component " + (i + 1) + " differs" + (d.detail() == null ? "" : ": " + d.detail()));
            }
            result = weakest(result, d);
        }
        return result;
    }

    /** Tuples and matrices; a one-row or one-column matrix also equals a tuple (a vector). */
    private Decision sequences(Node a, Node b) {
        if (a instanceof Matrix ma && b instanceof Matrix mb) {
            if (ma.rows().size() != mb.rows().size() || ma.rows().get(0).size() != mb.rows().get(0).size()) {
                return different("matrices of different shapes");
            }
            Decision result = SAME;
            for (int r = 0; r < ma.rows().size(); r++) {
                Decision d = pairwise(ma.rows().get(r), mb.rows().get(r));
                if (d.outcome() == Outcome.DIFFERENT) {
                    return different("row " + (r + 1) + " differs");
                }
                result = weakest(result, d);
            }
            return result;
        }
        List<Node> left = vector(a);
        List<Node> right = vector(b);
        if (left == null || right == null) {
            return different(kind(a) + " against " + kind(b));
        }
        return pairwise(left, right);
    }

    private static List<Node> vector(Node node) {
        if (node instanceof Tuple t) {
            return t.items();
        }
        if (node instanceof Matrix m) {
            if (m.rows().size() == 1) {
                return m.rows().get(0);
            }
            if (m.rows().get(0).size() == 1) {
                List<Node> column = new ArrayList<>();
                m.rows().forEach(row -> column.add(row.get(0)));
                return column;
            }
        }
        return null;
    }

    private static Decision text(Text a, Text b) {
        return canonicalText(a.text()).equals(canonicalText(b.text()))
                ? new Decision(Outcome.EQUAL_TEXT, null) : different("different words");
    }

    private static String canonicalText(String text) {
        StringBuilder out = new StringBuilder();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!word.isEmpty()) {
                out.append(out.length() == 0 ? "" : " ").append(word);
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- percent and degrees

    private Decision marked(Node a, Node b) {
        if (a instanceof Marked ma && b instanceof Marked mb) {
            if (ma.marker() == mb.marker()) {
                return same(ma.value(), mb.value());
            }
            return same(scaled(ma), scaled(mb));
        }
        Marked m = a instanceof Marked ma ? ma : (Marked) b;
        Node other = a instanceof Marked ? b : a;
        if (!Nodes.scalar(other)) {
            return different("a marked value against " + kind(other));
        }
        boolean raw = m.marker() == Marked.Marker.DEGREE || percent != PercentPolicy.FRACTION;
        boolean fraction = m.marker() == Marked.Marker.DEGREE || percent != PercentPolicy.NUMBER;
        Decision byNumber = raw ? same(m.value(), other) : null;
        if (byNumber != null && byNumber.equal()) {
            return byNumber;
        }
        Decision byFraction = fraction ? same(scaled(m), other) : null;
        if (byNumber == null) {
            return byFraction;
        }
        return byFraction == null ? byNumber : either(byNumber, byFraction);
    }

    /** {@code x\%} as {@code x/100}; {@code x^\circ} as {@code x·π/180}. */
    private static Node scaled(Marked m) {
        if (m.marker() == Marked.Marker.PERCENT) {
            return new Div(m.value(), Nodes.integer(100));
        }
        return new Mul(List.of(m.value(), new Div(new Const(Const.Kind.PI), Nodes.integer(180))));
    }

    // ---------------------------------------------------------------- relations

    /** A name on the left of an answer: {@code x}, {@code x_1}, {@code f(x)} (a product of variables). */
    private static boolean nameLike(Node node) {
        if (node instanceof Var) {
            return true;
        }
        if (node instanceof Pow p && p.base() instanceof Var) {
            return p.exponent() instanceof Num || p.exponent() instanceof Neg n && n.operand() instanceof Num;
        }
        if (node instanceof Tuple t) {
            return !t.items().isEmpty() && t.items().stream().allMatch(Var.class::isInstance);
        }
        if (node instanceof Mul m) {
            for (Node factor : m.factors()) {
                if (!nameLike(factor) && !(factor instanceof Tuple t && t.items().stream().allMatch(Var.class::isInstance))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean allEquals(Relation r) {
        return r.operators().stream().allMatch(op -> op == RelOp.EQ || op == RelOp.APPROX);
    }

    /**
     * The value an equation chain ends in: the last operand before the first {@code \approx} (what follows is a
     * rounding of it), or the last operand when the chain starts with {@code \approx}.
     */
    private static Node lastValue(Relation r) {
        List<Node> operands = r.operands();
        int first = r.operators().indexOf(RelOp.APPROX);
        return first <= 0 ? operands.get(operands.size() - 1) : operands.get(first);
    }

    private Decision relationAndValue(Relation r, Node value) {
        List<Node> operands = r.operands();
        if (r.operators().size() == 1 && r.operators().get(0) == RelOp.IN && nameLike(operands.get(0))) {
            return same(operands.get(1), value);
        }
        if (allEquals(r)) {
            Node first = operands.get(0);
            Node last = lastValue(r);
            if (nameLike(first)) {
                return same(last, value);
            }
            if (nameLike(last)) {
                return same(first, value);
            }
            return different("an equation against a value");
        }
        if (isIntervalLike(value) || value instanceof SetOf || value instanceof Tuple t && t.items().size() == 2) {
            return realSets(r, value);
        }
        return different("a relation against " + kind(value));
    }

    private Decision relations(Relation a, Relation b) {
        if (isMembership(a) && isMembership(b)) {
            return same(a.operands().get(1), b.operands().get(1));
        }
        if (isMembership(a) || isMembership(b)) {
            Relation member = isMembership(a) ? a : b;
            Relation other = member == a ? b : a;
            return realSets(member, other);
        }
        if (allEquals(a) && allEquals(b)) {
            Node firstA = a.operands().get(0);
            Node lastA = lastValue(a);
            Node firstB = b.operands().get(0);
            Node lastB = lastValue(b);
            if (nameLike(firstA) && nameLike(firstB) && (firstA.equals(firstB)
                    || Nodes.variables(lastA).isEmpty() && Nodes.variables(lastB).isEmpty())) {
                return same(lastA, lastB);
            }
            return proportional(difference(firstA, lastA), difference(firstB, lastB), false);
        }
        if (a.operators().size() == 1 && b.operators().size() == 1) {
            List<Piece> setA = realSet(a, false);
            List<Piece> setB = setA == null ? null : realSet(b, false);
            if (setA != null && setB != null) {
                return comparePieces(normalize(setA), normalize(setB));
            }
            RelOp opA = a.operators().get(0);
            RelOp opB = b.operators().get(0);
            if (opA == RelOp.EQ || opB == RelOp.EQ || opA == RelOp.APPROX || opB == RelOp.APPROX
                    || opA == RelOp.IN || opB == RelOp.IN) {
                return different("an equation against an inequality");
            }
            boolean strictA = opA == RelOp.LT || opA == RelOp.GT;
            boolean strictB = opB == RelOp.LT || opB == RelOp.GT;
            if ((opA == RelOp.NE) != (opB == RelOp.NE) || strictA != strictB) {
                return different("different relations");
            }
            return proportional(positivePart(a), positivePart(b), opA != RelOp.NE);
        }
        List<Piece> setA = realSet(a, false);
        List<Piece> setB = setA == null ? null : realSet(b, false);
        if (setA != null && setB != null) {
            return comparePieces(normalize(setA), normalize(setB));
        }
        if (a.operators().equals(b.operators())) {
            return pairwise(a.operands(), b.operands());
        }
        return different("different relations");
    }

    private static boolean isMembership(Relation r) {
        return r.operators().size() == 1 && r.operators().get(0) == RelOp.IN;
    }

    private static Node difference(Node left, Node right) {
        return new Add(List.of(left, new Neg(right)));
    }

    /** For {@code a > b} or {@code a \ge b}, {@code a - b}; for {@code a < b}, {@code b - a}; for {@code \ne}, {@code a - b}. */
    private static Node positivePart(Relation r) {
        Node left = r.operands().get(0);
        Node right = r.operands().get(1);
        RelOp op = r.operators().get(0);
        return op == RelOp.LT || op == RelOp.LE ? difference(right, left) : difference(left, right);
    }

    /**
     * Whether {@code a = c·b} for a constant {@code c ≠ 0} (positive when {@code positive}), tested at the sample
     * points by cross products, which keeps the test symmetric: {@code a(p)·b(q) = a(q)·b(p)}.
     */
    private Decision proportional(Node a, Node b, boolean positive) {
        Set<String> names = union(Nodes.variables(a), Nodes.variables(b));
        boolean complex = Nodes.complex(a) || Nodes.complex(b);
        boolean approximate = Nodes.approximate(a) || Nodes.approximate(b);
        List<Value[]> pairs = new ArrayList<>();
        for (Map<String, Double> point : Points.of(names)) {
            Value va = evaluator.numeric(a, point, complex);
            Value vb = evaluator.numeric(b, point, complex);
            if (va.finite() && vb.finite()) {
                pairs.add(new Value[] {va, vb});
            }
            if (names.isEmpty()) {
                break;
            }
        }
        if (pairs.isEmpty() || !names.isEmpty() && pairs.size() < MIN_POINTS) {
            return undecided("too few points where both relations are defined");
        }
        Value[] reference = null;
        for (Value[] pair : pairs) {
            if (!pair[0].mayBeZero() && !pair[1].mayBeZero()) {
                reference = pair;
                break;
            }
        }
        if (reference == null) {
            for (Value[] pair : pairs) {
                if (pair[0].mayBeZero() != pair[1].mayBeZero()) {
                    return different("the relations differ");
                }
            }
            return new Decision(Outcome.EQUAL_FUNCTION, "both relations always hold");
        }
        if (positive) {
            Value ratio = Evaluator.divide(reference[0], reference[1]);
            if (!ratio.finite() || !ratio.isReal() || ratio.re <= 0) {
                return different("the relations point in opposite directions");
            }
        }
        for (Value[] pair : pairs) {
            Value left = Evaluator.multiply(pair[0], reference[1]);
            Value right = Evaluator.multiply(reference[0], pair[1]);
            if (!left.finite() || !right.finite()) {
                continue;
            }
            if (!close(left, right, approximate)) {
                return different("the relations are not multiples of each other");
            }
        }
        return new Decision(approximate ? Outcome.EQUAL_WITHIN_TOLERANCE : Outcome.EQUAL_FUNCTION,
                "equivalent relations");
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    // ---------------------------------------------------------------- intervals as sets of reals

    private static boolean isIntervalLike(Node node) {
        return node instanceof Interval || node instanceof SetOp;
    }

    /** One interval of a set of reals; a point is a closed interval of length zero. */
    private record Piece(Value low, Value high, boolean lowClosed, boolean highClosed, boolean approximate) {
    }

    private Decision realSets(Node a, Node b) {
        List<Piece> setA = realSet(a, true);
        List<Piece> setB = setA == null ? null : realSet(b, true);
        if (setA == null || setB == null) {
            if (a instanceof SetOp sa && b instanceof SetOp sb && sa.operator() == sb.operator()) {
                return pairwise(List.of(sa.left(), sa.right()), List.of(sb.left(), sb.right()));
            }
            return different(kind(a) + " against " + kind(b));
        }
        return comparePieces(normalize(setA), normalize(setB));
    }

    /**
     * The set of reals an answer describes, or {@code null}: intervals, unions, finite sets of reals, {@code \mathbb{R}},
     * a one-variable inequality or chain ({@code x > 5}, {@code 1 < x \le 2}, {@code x \ne 3}), several of those
     * joined by "or", and (when {@code tuples}) a pair {@code (a, b)} as an open interval.
     */
    private List<Piece> realSet(Node node, boolean tuples) {
        budget.tick();
        if (node instanceof Interval i) {
            Value low = endpoint(i.low());
            Value high = endpoint(i.high());
            if (low == null || high == null) {
                return null;
            }
            boolean approximate = Nodes.approximate(i.low()) || Nodes.approximate(i.high());
            return List.of(new Piece(low, high, i.lowClosed(), i.highClosed(), approximate));
        }
        if (node instanceof Tuple t && tuples && t.items().size() == 2) {
            return realSet(new Interval(t.items().get(0), t.items().get(1), false, false), false);
        }
        if (node instanceof SetOp op && op.operator() == SetOp.Operator.UNION) {
            List<Piece> left = realSet(op.left(), tuples);
            List<Piece> right = left == null ? null : realSet(op.right(), tuples);
            if (right == null) {
                return null;
            }
            List<Piece> all = new ArrayList<>(left);
            all.addAll(right);
            return all;
        }
        if (node instanceof SetOf s) {
            List<Piece> points = new ArrayList<>();
            for (Node item : s.items()) {
                Value v = endpoint(item);
                if (v == null || !v.finite()) {
                    return null;
                }
                points.add(new Piece(v, v, true, true, Nodes.approximate(item)));
            }
            return points;
        }
        if (node instanceof Answers list) {
            List<Piece> all = new ArrayList<>();
            for (Node item : list.items()) {
                List<Piece> part = realSet(item, false);
                if (part == null) {
                    return null;
                }
                all.addAll(part);
            }
            return all;
        }
        if (node instanceof Relation r) {
            return relationSet(r);
        }
        return null;
    }

    private List<Piece> relationSet(Relation r) {
        Set<String> names = Nodes.variables(r);
        if (names.size() != 1) {
            return null;
        }
        List<Node> operands = r.operands();
        if (r.operators().size() == 1 && r.operators().get(0) == RelOp.IN) {
            return operands.get(0) instanceof Var ? realSet(operands.get(1), true) : null;
        }
        int variable = -1;
        for (int i = 0; i < operands.size(); i++) {
            if (operands.get(i) instanceof Var) {
                if (variable >= 0) {
                    return null;
                }
                variable = i;
            } else if (!Nodes.variables(operands.get(i)).isEmpty()) {
                return null;
            }
        }
        if (variable < 0 || operands.size() > 3) {
            return null;
        }
        Value low = Value.infinity(-1, 0);
        Value high = Value.infinity(1, 0);
        boolean lowClosed = false;
        boolean highClosed = false;
        boolean approximate = false;
        for (int k = 0; k < r.operators().size(); k++) {
            RelOp op = r.operators().get(k);
            boolean varOnLeft = k == variable;
            boolean varOnRight = k + 1 == variable;
            if (!varOnLeft && !varOnRight) {
                return null;
            }
            Node boundNode = operands.get(varOnLeft ? k + 1 : k);
            Value bound = endpoint(boundNode);
            if (bound == null || !bound.finite()) {
                return null;
            }
            approximate |= Nodes.approximate(boundNode);
            // rewrite as "x op bound"
            RelOp normalized = varOnLeft ? op : flip(op);
            switch (normalized) {
                case LT, LE -> {
                    high = bound;
                    highClosed = normalized == RelOp.LE;
                }
                case GT, GE -> {
                    low = bound;
                    lowClosed = normalized == RelOp.GE;
                }
                case EQ, APPROX -> {
                    low = bound;
                    high = bound;
                    lowClosed = true;
                    highClosed = true;
                }
                case NE -> {
                    if (r.operators().size() != 1) {
                        return null;
                    }
                    return List.of(new Piece(Value.infinity(-1, 0), bound, false, false, approximate),
                            new Piece(bound, Value.infinity(1, 0), false, false, approximate));
                }
                default -> {
                    return null;
                }
            }
        }
        return List.of(new Piece(low, high, lowClosed, highClosed, approximate));
    }

    private static RelOp flip(RelOp op) {
        return switch (op) {
            case LT -> RelOp.GT;
            case GT -> RelOp.LT;
            case LE -> RelOp.GE;
            case GE -> RelOp.LE;
            default -> op;
        };
    }

    /** A real endpoint (finite or a written infinity), or {@code null}. */
    private Value endpoint(Node node) {
        if (!Nodes.scalar(node) || !Nodes.variables(node).isEmpty()) {
            return null;
        }
        Value v = evaluator.numeric(node, Map.of(), true);
        if (v.state == Value.State.INFINITE) {
            return v.im == 0 && v.re != 0 ? v : null;
        }
        return v.finite() && v.isReal() ? Value.real(v.re, v.err) : null;
    }

    private static double position(Value v) {
        return v.state == Value.State.INFINITE ? (v.re < 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : v.re;
    }

    /** Sorts, drops empty pieces and merges overlapping or touching ones. */
    private List<Piece> normalize(List<Piece> pieces) {
        List<Piece> sorted = new ArrayList<>();
        for (Piece p : pieces) {
            boolean lowInfinite = p.low().state == Value.State.INFINITE;
            boolean highInfinite = p.high().state == Value.State.INFINITE;
            Piece q = new Piece(p.low(), p.high(), p.lowClosed() && !lowInfinite, p.highClosed() && !highInfinite,
                    p.approximate());
            double lo = position(q.low());
            double hi = position(q.high());
            boolean degenerate = !lowInfinite && !highInfinite && close(q.low(), q.high(), false);
            if (lo > hi && !degenerate || degenerate && !(q.lowClosed() && q.highClosed())) {
                continue;
            }
            sorted.add(q);
        }
        sorted.sort(Comparator.comparingDouble((Piece p) -> position(p.low())).thenComparing(p -> !p.lowClosed()));
        List<Piece> merged = new ArrayList<>();
        for (Piece p : sorted) {
            budget.tick();
            if (merged.isEmpty()) {
                merged.add(p);
                continue;
            }
            Piece last = merged.get(merged.size() - 1);
            boolean touching = last.high().finite() && p.low().finite() && close(last.high(), p.low(), false);
            boolean overlapping = position(p.low()) < position(last.high()) && !touching;
            if (overlapping || touching && (last.highClosed() || p.lowClosed())) {
                boolean pEndsLater = position(p.high()) > position(last.high())
                        && !(p.high().finite() && last.high().finite() && close(p.high(), last.high(), false));
                boolean sameEnd = !pEndsLater && p.high().finite() && last.high().finite()
                        && close(p.high(), last.high(), false);
                Value high = pEndsLater ? p.high() : last.high();
                boolean highClosed = pEndsLater ? p.highClosed() : sameEnd ? last.highClosed() || p.highClosed()
                        : last.highClosed();
                merged.set(merged.size() - 1, new Piece(last.low(), high, last.lowClosed(), highClosed,
                        last.approximate() || p.approximate()));
            } else {
                merged.add(p);
            }
        }
        return merged;
    }

    private Decision comparePieces(List<Piece> a, List<Piece> b) {
        if (a.size() != b.size()) {
            return different(a.size() + " intervals against " + b.size());
        }
        boolean approximate = false;
        for (int i = 0; i < a.size(); i++) {
            Piece p = a.get(i);
            Piece q = b.get(i);
            boolean tolerant = p.approximate() || q.approximate();
            approximate |= tolerant;
            if (!endpointsEqual(p.low(), q.low(), tolerant) || !endpointsEqual(p.high(), q.high(), tolerant)) {
                return different("interval ends differ");
            }
            if (p.lowClosed() != q.lowClosed() || p.highClosed() != q.highClosed()) {
                return different("open and closed ends differ");
            }
        }
        return new Decision(approximate ? Outcome.EQUAL_WITHIN_TOLERANCE : Outcome.EQUAL_VALUE, "same set of reals");
    }

    private boolean endpointsEqual(Value a, Value b, boolean approximate) {
        if (a.state == Value.State.INFINITE || b.state == Value.State.INFINITE) {
            return a.state == b.state && Math.signum(a.re) == Math.signum(b.re);
        }
        return close(a, b, approximate);
    }

    // ---------------------------------------------------------------- scalars

    /** How two double values compare: apart, equal, or equal only because the rounding error swamps them. */
    private enum Closeness {
        SAME, NOISE, APART
    }

    /**
     * {@link Closeness#NOISE} when the values agree only within an error bound that is large against their size
     * (worse than 1e-9 relative): after catastrophic cancellation doubles cannot tell {@code 10^{-20}} from 0.
     */
    private Closeness closeness(Value a, Value b, boolean approximate) {
        if (!close(a, b, approximate)) {
            return Closeness.APART;
        }
        if (a.state != Value.State.FINITE || b.state != Value.State.FINITE) {
            return Closeness.SAME;
        }
        double scale = Math.max(a.abs(), b.abs());
        return ERROR_FACTOR * (a.err + b.err) > 1e-9 * scale ? Closeness.NOISE : Closeness.SAME;
    }

    /**
     * Re-decides a {@link Closeness#NOISE} comparison with {@link Precise} 64-digit arithmetic: equal when the
     * precise values agree to far below the double error bound. {@code null} when the precise evaluation does not
     * cover the expressions (complex values): the double verdict stands.
     */
    private Decision recheck(Node a, Node b, Map<String, Double> point, Value va, Value vb, boolean approximate) {
        java.math.BigDecimal pa = precise.value(a, point);
        java.math.BigDecimal pb = pa == null ? null : precise.value(b, point);
        if (pb == null) {
            return null;
        }
        java.math.BigDecimal difference = pa.subtract(pb).abs();
        double scale = Math.max(pa.abs().doubleValue(), pb.abs().doubleValue());
        double bound = (va.err + vb.err) * 1e-40 + (approximate ? tolerance * scale : 0);
        if (difference.compareTo(new java.math.BigDecimal(bound)) <= 0) {
            return null;
        }
        return different("differ beyond double precision: " + pa.round(new java.math.MathContext(6)) + " \u2260 "
                + pb.round(new java.math.MathContext(6)));
    }

    /** Whether two values agree within their rounding-error bounds, plus the relative tolerance for decimals. */
    private boolean close(Value a, Value b, boolean approximate) {
        if (a.state == Value.State.INFINITE || b.state == Value.State.INFINITE) {
            return a.state == b.state && Math.signum(a.re) == Math.signum(b.re)
                    && Math.signum(a.im) == Math.signum(b.im);
        }
        double difference = Math.hypot(a.re - b.re, a.im - b.im);
        double scale = Math.max(a.abs(), b.abs());
        double bound = ERROR_FACTOR * (a.err + b.err) + 4 * Math.ulp(scale) + (approximate ? tolerance * scale : 0);
        return difference <= bound;
    }

    private Decision scalars(Node a, Node b) {
        boolean approximate = Nodes.approximate(a) || Nodes.approximate(b);
        Rational ra = evaluator.exact(a);
        Rational rb = ra == null ? null : evaluator.exact(b);
        if (ra != null && rb != null) {
            if (ra.equals(rb)) {
                return new Decision(Outcome.EQUAL_EXACT, null);
            }
            if (approximate && exactTolerance != null && ra.closeTo(rb, exactTolerance)) {
                return new Decision(Outcome.EQUAL_WITHIN_TOLERANCE, "within relative tolerance " + tolerance);
            }
            return different(shortText(ra) + " \u2260 " + shortText(rb));
        }
        Set<String> names = union(Nodes.variables(a), Nodes.variables(b));
        if (names.isEmpty()) {
            Value va = evaluator.numeric(a, Map.of(), true);
            Value vb = evaluator.numeric(b, Map.of(), true);
            if (va.state == Value.State.UNRELIABLE || vb.state == Value.State.UNRELIABLE) {
                return new Decision(Outcome.TOO_LARGE, "a value overflowed or lost its precision");
            }
            if (va.state == Value.State.UNDEFINED || vb.state == Value.State.UNDEFINED) {
                return undecided("a value is undefined");
            }
            Closeness closeness = closeness(va, vb, approximate);
            if (closeness == Closeness.APART) {
                return different(va + " \u2260 " + vb);
            }
            // exact constants are confirmed to 64 digits, so that a difference below double precision still counts
            if (closeness == Closeness.NOISE || !approximate) {
                Decision precisely = recheck(a, b, Map.of(), va, vb, approximate);
                if (precisely != null) {
                    return precisely;
                }
            }
            return new Decision(approximate ? Outcome.EQUAL_WITHIN_TOLERANCE : Outcome.EQUAL_VALUE, null);
        }
        return functions(a, b, names, approximate);
    }

    private static String shortText(Rational r) {
        String s = r.toString();
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }

    private Decision functions(Node a, Node b, Set<String> names, boolean approximate) {
        boolean complex = Nodes.complex(a) || Nodes.complex(b);
        int valid = 0;
        for (Map<String, Double> point : Points.of(names)) {
            Value va = evaluator.numeric(a, point, complex);
            Value vb = evaluator.numeric(b, point, complex);
            if (!va.finite() || !vb.finite()) {
                if (va.state == Value.State.INFINITE && vb.state == Value.State.INFINITE && !close(va, vb, false)) {
                    return different("differ at " + point);
                }
                continue;
            }
            Closeness closeness = closeness(va, vb, approximate);
            if (closeness == Closeness.APART) {
                return different("differ at " + describe(point) + ": " + va + " \u2260 " + vb);
            }
            if (closeness == Closeness.NOISE) {
                Decision precisely = recheck(a, b, point, va, vb, approximate);
                if (precisely != null) {
                    return precisely;
                }
            }
            valid++;
        }
        if (valid < MIN_POINTS) {
            return undecided("defined at only " + valid + " sample points");
        }
        return new Decision(approximate ? Outcome.EQUAL_WITHIN_TOLERANCE : Outcome.EQUAL_FUNCTION, null);
    }

    private static String describe(Map<String, Double> point) {
        StringBuilder out = new StringBuilder();
        point.forEach((k, v) -> out.append(out.length() == 0 ? "" : ", ").append(k).append(" = ")
                .append(String.format(Locale.ROOT, "%.4g", v)));
        return out.toString();
    }

    // ---------------------------------------------------------------- ± expansion

    /** The answers that {@code ±} stands for, as a list; {@code null} when there are too many signs. */
    private Node expand(Node node) {
        List<Node> items = node instanceof Answers list ? list.items() : List.of(node);
        List<Node> expanded = new ArrayList<>();
        for (Node item : items) {
            int signs = count(item);
            if (signs > MAX_PLUS_MINUS) {
                return null;
            }
            for (int mask = 0; mask < 1 << signs; mask++) {
                budget.tick();
                expanded.add(choose(item, mask, new int[1]));
            }
        }
        return expanded.size() == 1 ? expanded.get(0) : new Answers(List.copyOf(expanded));
    }

    private static int count(Node node) {
        int n = node instanceof PlusMinus ? 1 : 0;
        for (Node child : Nodes.children(node)) {
            n += count(child);
        }
        return n;
    }

    /** The tree with each {@code ±} replaced by the sign that bit {@code index[0]} of {@code mask} picks. */
    private static Node choose(Node node, int mask, int[] index) {
        if (node instanceof PlusMinus pm) {
            boolean minus = ((mask >> index[0]++) & 1) == 1;
            Node left = pm.left() == null ? null : choose(pm.left(), mask, index);
            Node right = choose(pm.right(), mask, index);
            boolean subtract = minus != pm.minusPlus();
            Node signed = subtract ? new Neg(right) : right;
            return left == null ? signed : new Add(List.of(left, signed));
        }
        List<Node> children = Nodes.children(node);
        if (children.isEmpty()) {
            return node;
        }
        List<Node> replaced = new ArrayList<>(children.size());
        for (Node child : children) {
            replaced.add(choose(child, mask, index));
        }
        return Nodes.withChildren(node, replaced);
    }

    /** Sample points for functions of the given variables: ten points shared by both sides of a comparison. */
    static final class Points {
        private Points() {
        }

        static List<Map<String, Double>> of(Set<String> names) {
            if (names.isEmpty()) {
                return List.of(Map.of());
            }
            return make(names);
        }

        /**
         * Points 0-4 have every variable in (0.6, 2.9); 5-6 every variable negative; 7-8 mixed signs; 9-11 larger
         * values in (3, 10) for functions defined only there. Values come from an additive recurrence (the
         * plastic-number sequence), so they are irrational-looking and distinct across variables.
         */
        private static List<Map<String, Double>> make(Set<String> names) {
            List<Map<String, Double>> points = new ArrayList<>();
            double a1 = 0.7548776662466927;
            double a2 = 0.5698402909980532;
            for (int p = 0; p < 12; p++) {
                Map<String, Double> point = new HashMap<>();
                int j = 0;
                for (String name : names) {
                    double u = ((p + 1) * a1 + (j + 1) * a2 + 0.1234567) % 1.0;
                    double magnitude = p >= 9 ? 3.1 + 6.6 * u : 0.6 + 2.3 * u;
                    boolean negative = p == 5 || p == 6 || (p == 7 || p == 8) && (j + p) % 2 == 0;
                    point.put(name, negative ? -magnitude : magnitude);
                    j++;
                }
                points.add(Map.copyOf(point));
            }
            return List.copyOf(points);
        }
    }
}
