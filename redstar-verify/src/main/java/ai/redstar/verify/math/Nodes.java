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
import ai.redstar.verify.math.Node.SetOf;
import ai.redstar.verify.math.Node.SetOp;
import ai.redstar.verify.math.Node.Text;
import ai.redstar.verify.math.Node.Tuple;
import ai.redstar.verify.math.Node.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Operations on {@link Node} trees: the canonical printing (the "normalised form" of an answer, which parses
 * back to the same tree) and small structural queries. All iterative or bounded by the parser's depth limit.
 */
final class Nodes {

    private Nodes() {
    }

    static final Num ZERO = new Num(Rational.ZERO, "0", false);
    static final Num ONE = new Num(Rational.ONE, "1", false);

    static Num integer(long value) {
        return new Num(Rational.of(value), Long.toString(value), false);
    }

    // ------------------------------------------------------------------ printing

    /** Binding strength of the node's outermost operator: higher binds tighter. */
    private static int precedence(Node node) {
        if (node instanceof Answers) {
            return 0;
        } else if (node instanceof Relation) {
            return 1;
        } else if (node instanceof SetOp) {
            return 2;
        } else if (node instanceof PlusMinus || node instanceof Add) {
            return 3;
        } else if (node instanceof Mul) {
            return 4;
        } else if (node instanceof Neg) {
            return 5;
        } else if (node instanceof Pow) {
            return 6;
        } else if (node instanceof Marked) {
            return 7;
        }
        return 9;
    }

    /** The canonical text of a tree; parsing it gives the same tree back. */
    static String print(Node node) {
        StringBuilder out = new StringBuilder();
        print(node, out);
        return out.toString();
    }

    private static void printAt(Node node, int minimum, StringBuilder out) {
        if (precedence(node) < minimum) {
            out.append('(');
            print(node, out);
            out.append(')');
        } else {
            print(node, out);
        }
    }

    private static void print(Node node, StringBuilder out) {
        if (node instanceof Num n) {
            out.append(n.text());
        } else if (node instanceof Const c) {
            out.append(switch (c.kind()) {
                case PI -> "\\pi";
                case E -> "e";
                case I -> "i";
                case INFINITY -> "\\infty";
            });
        } else if (node instanceof Var v) {
            out.append(v.name());
        } else if (node instanceof Add a) {
            for (int i = 0; i < a.terms().size(); i++) {
                Node term = a.terms().get(i);
                if (i > 0 && term instanceof Neg neg) {
                    out.append(" - ");
                    printAt(neg.operand(), 4, out);
                } else {
                    if (i > 0) {
                        out.append(" + ");
                    }
                    printAt(term, 4, out);
                }
            }
        } else if (node instanceof Mul m) {
            for (int i = 0; i < m.factors().size(); i++) {
                if (i > 0) {
                    out.append(" * ");
                }
                // a negative factor after the first is bracketed so that "a * -b" never reads as a - b
                printAt(m.factors().get(i), i == 0 ? 5 : 6, out);
            }
        } else if (node instanceof Div d) {
            out.append("\\frac{");
            print(d.numerator(), out);
            out.append("}{");
            print(d.denominator(), out);
            out.append('}');
        } else if (node instanceof Neg n) {
            out.append('-');
            printAt(n.operand(), 6, out);
        } else if (node instanceof Pow p) {
            printAt(p.base(), 7, out);
            out.append("^{");
            print(p.exponent(), out);
            out.append('}');
        } else if (node instanceof Func f) {
            printFunction(f, out);
        } else if (node instanceof PlusMinus p) {
            if (p.left() != null) {
                printAt(p.left(), 3, out);
                out.append(' ');
            }
            out.append(p.minusPlus() ? "\\mp " : "\\pm ");
            // a leading sign binds like a unary minus: its operand is bracketed unless it is a power or tighter
            printAt(p.right(), p.left() == null ? 6 : 4, out);
        } else if (node instanceof Marked m) {
            printAt(m.value(), 8, out);
            out.append(m.marker() == Marked.Marker.PERCENT ? "\\%" : "^\\circ");
        } else if (node instanceof Tuple t) {
            out.append('(');
            printList(t.items(), out);
            out.append(')');
        } else if (node instanceof SetOf set) {
            out.append("\\{");
            printList(set.items(), out);
            out.append("\\}");
        } else if (node instanceof Interval i) {
            out.append(i.lowClosed() ? '[' : '(');
            printAt(i.low(), 2, out);
            out.append(", ");
            printAt(i.high(), 2, out);
            out.append(i.highClosed() ? ']' : ')');
        } else if (node instanceof SetOp op) {
            printAt(op.left(), 2, out);
            out.append(switch (op.operator()) {
                case UNION -> " \\cup ";
                case INTERSECTION -> " \\cap ";
                case DIFFERENCE -> " \\setminus ";
            });
            printAt(op.right(), 3, out);
        } else if (node instanceof Matrix m) {
            out.append("\\begin{pmatrix}");
            for (int r = 0; r < m.rows().size(); r++) {
                if (r > 0) {
                    out.append(" \\\\ ");
                }
                List<Node> row = m.rows().get(r);
                for (int c = 0; c < row.size(); c++) {
                    if (c > 0) {
                        out.append(" & ");
                    }
                    printAt(row.get(c), 2, out);
                }
            }
            out.append("\\end{pmatrix}");
        } else if (node instanceof Relation r) {
            for (int i = 0; i < r.operands().size(); i++) {
                if (i > 0) {
                    out.append(' ').append(r.operators().get(i - 1).latex).append(' ');
                }
                printAt(r.operands().get(i), 2, out);
            }
        } else if (node instanceof Answers a) {
            printList(a.items(), out);
        } else if (node instanceof Text t) {
            out.append("\\text{").append(t.text()).append('}');
        }
    }

    private static void printList(List<Node> items, StringBuilder out) {
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            printAt(items.get(i), 1, out);
        }
    }

    private static void printFunction(Func f, StringBuilder out) {
        List<Node> args = f.args();
        switch (f.name()) {
            case "sqrt" -> {
                out.append("\\sqrt{");
                print(args.get(0), out);
                out.append('}');
            }
            case "root" -> {
                out.append("\\sqrt[");
                print(args.get(1), out);
                out.append("]{");
                print(args.get(0), out);
                out.append('}');
            }
            case "abs" -> {
                out.append('|');
                print(args.get(0), out);
                out.append('|');
            }
            case "fact" -> {
                printAt(args.get(0), 9, out);
                out.append('!');
            }
            case "floor", "ceil" -> {
                out.append(f.name().equals("floor") ? "\\lfloor " : "\\lceil ");
                print(args.get(0), out);
                out.append(f.name().equals("floor") ? " \\rfloor" : " \\rceil");
            }
            case "binom" -> {
                out.append("\\binom{");
                print(args.get(0), out);
                out.append("}{");
                print(args.get(1), out);
                out.append('}');
            }
            case "log" -> {
                out.append("\\log");
                if (args.size() == 2) {
                    out.append("_{");
                    print(args.get(1), out);
                    out.append('}');
                }
                out.append('(');
                print(args.get(0), out);
                out.append(')');
            }
            default -> {
                out.append(Functions.isLatexCommand(f.name()) ? "\\" : "\\operatorname{").append(f.name());
                if (!Functions.isLatexCommand(f.name())) {
                    out.append('}');
                }
                out.append('(');
                printList(args, out);
                out.append(')');
            }
        }
    }

    // ------------------------------------------------------------------ queries

    /** The direct children of a node. */
    static List<Node> children(Node node) {
        if (node instanceof Add a) {
            return a.terms();
        } else if (node instanceof Mul m) {
            return m.factors();
        } else if (node instanceof Div d) {
            return List.of(d.numerator(), d.denominator());
        } else if (node instanceof Neg n) {
            return List.of(n.operand());
        } else if (node instanceof Pow p) {
            return List.of(p.base(), p.exponent());
        } else if (node instanceof Func f) {
            return f.args();
        } else if (node instanceof PlusMinus p) {
            return p.left() == null ? List.of(p.right()) : List.of(p.left(), p.right());
        } else if (node instanceof Marked m) {
            return List.of(m.value());
        } else if (node instanceof Tuple t) {
            return t.items();
        } else if (node instanceof SetOf set) {
            return set.items();
        } else if (node instanceof Interval i) {
            return List.of(i.low(), i.high());
        } else if (node instanceof SetOp op) {
            return List.of(op.left(), op.right());
        } else if (node instanceof Matrix m) {
            List<Node> all = new ArrayList<>();
            m.rows().forEach(all::addAll);
            return all;
        } else if (node instanceof Relation r) {
            return r.operands();
        } else if (node instanceof Answers a) {
            return a.items();
        }
        return List.of();
    }

    /** The same kind of node with new children, in the order {@link #children} gives them. */
    static Node withChildren(Node node, List<Node> c) {
        if (node instanceof Add) {
            return new Add(List.copyOf(c));
        } else if (node instanceof Mul) {
            return new Mul(List.copyOf(c));
        } else if (node instanceof Div) {
            return new Div(c.get(0), c.get(1));
        } else if (node instanceof Neg) {
            return new Neg(c.get(0));
        } else if (node instanceof Pow) {
            return new Pow(c.get(0), c.get(1));
        } else if (node instanceof Func f) {
            return new Func(f.name(), List.copyOf(c));
        } else if (node instanceof PlusMinus p) {
            return p.left() == null ? new PlusMinus(null, c.get(0), p.minusPlus())
                    : new PlusMinus(c.get(0), c.get(1), p.minusPlus());
        } else if (node instanceof Marked m) {
            return new Marked(c.get(0), m.marker());
        } else if (node instanceof Tuple) {
            return new Tuple(List.copyOf(c));
        } else if (node instanceof SetOf) {
            return new SetOf(List.copyOf(c));
        } else if (node instanceof Interval i) {
            return new Interval(c.get(0), c.get(1), i.lowClosed(), i.highClosed());
        } else if (node instanceof SetOp op) {
            return new SetOp(op.operator(), c.get(0), c.get(1));
        } else if (node instanceof Matrix m) {
            List<List<Node>> rows = new ArrayList<>();
            int k = 0;
            for (List<Node> row : m.rows()) {
                rows.add(List.copyOf(c.subList(k, k + row.size())));
                k += row.size();
            }
            return new Matrix(List.copyOf(rows));
        } else if (node instanceof Relation r) {
            return new Relation(List.copyOf(c), r.operators());
        } else if (node instanceof Answers) {
            return new Answers(List.copyOf(c));
        }
        return node;
    }

    /** Whether the tree is deeper than {@code limit} levels; iterative, so any depth is safe to measure. */
    static boolean deeperThan(Node node, int limit) {
        List<Node> nodes = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        nodes.add(node);
        depths.add(1);
        while (!nodes.isEmpty()) {
            Node next = nodes.remove(nodes.size() - 1);
            int depth = depths.remove(depths.size() - 1);
            if (depth > limit) {
                return true;
            }
            for (Node child : children(next)) {
                nodes.add(child);
                depths.add(depth + 1);
            }
        }
        return false;
    }

    /** The names of the free variables, sorted. */
    static Set<String> variables(Node node) {
        Set<String> names = new TreeSet<>();
        List<Node> stack = new ArrayList<>();
        stack.add(node);
        while (!stack.isEmpty()) {
            Node next = stack.remove(stack.size() - 1);
            if (next instanceof Var v) {
                names.add(v.name());
            } else {
                stack.addAll(children(next));
            }
        }
        return names;
    }

    /** Whether some node in the tree satisfies the test. */
    static boolean any(Node node, java.util.function.Predicate<Node> test) {
        List<Node> stack = new ArrayList<>();
        stack.add(node);
        while (!stack.isEmpty()) {
            Node next = stack.remove(stack.size() - 1);
            if (test.test(next)) {
                return true;
            }
            stack.addAll(children(next));
        }
        return false;
    }

    /** Whether the tree holds a number written as a terminating decimal or with an exponent. */
    static boolean approximate(Node node) {
        return any(node, n -> n instanceof Num num && num.approximate());
    }

    /** Whether the tree holds the imaginary unit. */
    static boolean complex(Node node) {
        return any(node, n -> n instanceof Const c && c.kind() == Const.Kind.I);
    }

    /** Whether a node is a plain value (not a tuple, set, relation, list, matrix or text). */
    static boolean scalar(Node node) {
        return !(node instanceof Tuple || node instanceof SetOf || node instanceof Interval || node instanceof SetOp
                || node instanceof Matrix || node instanceof Relation || node instanceof Answers
                || node instanceof Text);
    }
}
