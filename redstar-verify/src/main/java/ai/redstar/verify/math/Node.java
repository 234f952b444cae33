package ai.redstar.verify.math;

import java.util.List;

/**
 * A parsed answer: an expression tree. Records compare structurally, so two answers with the same tree are
 * the same answer. Immutable.
 */
sealed interface Node {

    /**
     * A number as written.
     *
     * @param value its exact value; {@code null} when too large to hold exactly (then {@link #text} is read as
     *     a double, which overflows to an undecided verdict)
     * @param text the canonical spelling
     * @param approximate written with a terminating decimal point or an exponent: compared with a tolerance
     */
    record Num(Rational value, String text, boolean approximate) implements Node {
    }

    /** A named constant. */
    record Const(Kind kind) implements Node {
        enum Kind {
            PI, E, I, INFINITY
        }
    }

    /** A free variable, such as {@code x}, {@code x_{1}} or {@code \alpha}. */
    record Var(String name) implements Node {
    }

    /** A sum of two or more terms; subtraction is a {@link Neg} term. */
    record Add(List<Node> terms) implements Node {
    }

    /** A product of two or more factors. */
    record Mul(List<Node> factors) implements Node {
    }

    record Div(Node numerator, Node denominator) implements Node {
    }

    record Neg(Node operand) implements Node {
    }

    record Pow(Node base, Node exponent) implements Node {
    }

    /**
     * A function application. Names: {@code sqrt}, {@code root} (args: radicand, index), {@code log} (args:
     * argument, base; one argument is the natural logarithm), {@code ln}, {@code exp}, trigonometric and
     * hyperbolic functions and their inverses, {@code abs}, {@code floor}, {@code ceil}, {@code binom},
     * {@code gcd}, {@code lcm}, {@code max}, {@code min}, {@code fact} (factorial).
     */
    record Func(String name, List<Node> args) implements Node {
    }

    /** {@code left ± right}; {@code left} is {@code null} for a leading {@code ±}. */
    record PlusMinus(Node left, Node right, boolean minusPlus) implements Node {
    }

    /** A value with a percent sign or a degree sign. */
    record Marked(Node value, Marker marker) implements Node {
        enum Marker {
            PERCENT, DEGREE
        }
    }

    /** An ordered tuple {@code (a, b, ...)}: a point, a vector or an ordered list of answers. */
    record Tuple(List<Node> items) implements Node {
    }

    /** A set written with braces: order and repetition do not matter. */
    record SetOf(List<Node> items) implements Node {
    }

    /** A real interval; the closedness of an infinite end is ignored when comparing. */
    record Interval(Node low, Node high, boolean lowClosed, boolean highClosed) implements Node {
    }

    /** A set operation: {@code \cup}, {@code \cap}, {@code \setminus}. */
    record SetOp(Operator operator, Node left, Node right) implements Node {
        enum Operator {
            UNION, INTERSECTION, DIFFERENCE
        }
    }

    /** A matrix or a column/row vector, rows of equal length. */
    record Matrix(List<List<Node>> rows) implements Node {
    }

    /** A chain of relations {@code a op b op c}: {@code operands.size() == operators.size() + 1}. */
    record Relation(List<Node> operands, List<RelOp> operators) implements Node {
        enum RelOp {
            EQ("="), APPROX("\\approx"), NE("\\ne"), LT("<"), LE("\\le"), GT(">"), GE("\\ge"), IN("\\in");

            final String latex;

            RelOp(String latex) {
                this.latex = latex;
            }
        }
    }

    /** Several answers at the top level: {@code 1, 2} or {@code x = 1 or x = 2}. */
    record Answers(List<Node> items) implements Node {
    }

    /** A word answer such as {@code \text{Evelyn}}, compared without case. */
    record Text(String text) implements Node {
    }
}
