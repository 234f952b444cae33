package ai.redstar.verify.math;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The functions an answer may use: their spellings, canonical names and inverses. */
final class Functions {

    private Functions() {
    }

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("sin", "sin"), Map.entry("cos", "cos"), Map.entry("tan", "tan"), Map.entry("tg", "tan"),
            Map.entry("sec", "sec"), Map.entry("csc", "csc"), Map.entry("cosec", "csc"), Map.entry("cot", "cot"),
            Map.entry("ctg", "cot"), Map.entry("cotan", "cot"),
            Map.entry("arcsin", "arcsin"), Map.entry("asin", "arcsin"), Map.entry("arccos", "arccos"),
            Map.entry("acos", "arccos"), Map.entry("arctan", "arctan"), Map.entry("atan", "arctan"),
            Map.entry("arctg", "arctan"), Map.entry("arccot", "arccot"), Map.entry("arcsec", "arcsec"),
            Map.entry("arccsc", "arccsc"),
            Map.entry("sinh", "sinh"), Map.entry("cosh", "cosh"), Map.entry("tanh", "tanh"),
            Map.entry("ln", "ln"), Map.entry("log", "log"), Map.entry("lg", "lg"), Map.entry("exp", "exp"),
            Map.entry("sqrt", "sqrt"), Map.entry("abs", "abs"), Map.entry("floor", "floor"),
            Map.entry("ceil", "ceil"), Map.entry("gcd", "gcd"), Map.entry("lcm", "lcm"), Map.entry("max", "max"),
            Map.entry("min", "min"), Map.entry("cbrt", "cbrt"));

    private static final Map<String, String> INVERSES = Map.of(
            "sin", "arcsin", "cos", "arccos", "tan", "arctan", "cot", "arccot", "sec", "arcsec", "csc", "arccsc");

    /** Functions that LaTeX spells as a command ({@code \sin}); the rest print as {@code \operatorname{..}}. */
    private static final Set<String> LATEX = Set.of(
            "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "ln",
            "log", "lg", "exp", "gcd", "max", "min");

    /** The canonical name of a function word or command ({@code "\sin"}, {@code "asin"}), or {@code null}. */
    static String canonical(String spelling) {
        String name = spelling.startsWith("\\") ? spelling.substring(1) : spelling;
        return NAMES.get(name.toLowerCase(Locale.ROOT));
    }

    /** {@code arcsin} for {@code sin}; {@code null} when the function has no named inverse. */
    static String inverse(String name) {
        return INVERSES.get(name);
    }

    static boolean isLatexCommand(String name) {
        return LATEX.contains(name);
    }

    /** Whether the function takes a list of arguments ({@code gcd(4, 6)}). */
    static boolean variadic(String name) {
        return name.equals("gcd") || name.equals("lcm") || name.equals("max") || name.equals("min");
    }
}
