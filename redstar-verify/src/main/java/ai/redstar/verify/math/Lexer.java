package ai.redstar.verify.math;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an answer string (LaTeX, plain text or a mix) into tokens in one left-to-right pass without regular
 * expressions, so that its cost is linear in the input whatever the input is.
 *
 * <p>The lexer already does the normalisations that are local to a few characters: unicode symbols
 * ({@code √ π ∞ ½ − × ≤ °}) become their LaTeX commands; spacing, sizing and styling commands ({@code \left},
 * {@code \,}, {@code \displaystyle}, {@code $}) disappear; {@code \dfrac}/{@code \tfrac} become {@code \frac};
 * numbers absorb thousands separators ({@code 1,000}, {@code 1{,}000}, {@code 1\,000}, {@code 1 000}),
 * exponents ({@code 6.02e23}), repeating digits ({@code 0.\overline{3}}, {@code 0.1(6)}, {@code 0.333...})
 * and bases ({@code 1011_2}); the content of {@code \text{...}} is marked as text. Not thread-safe: one lexer
 * per string.
 */
final class Lexer {

    /** Commands that only change spacing, size or style: dropped. */
    private static final Set<String> NOISE = Set.of(
            "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
            "biggr", "Biggl", "Biggr", "displaystyle", "textstyle", "scriptstyle", "scriptscriptstyle", "limits",
            "nolimits", "quad", "qquad", "hfill", "mathstrut", "strut", "nonumber", "notag", "centering",
            "medspace", "thickspace", "thinspace", "negthinspace", "enspace", "hline", "allowbreak", "noindent");

    /** Commands whose braced argument is text. */
    private static final Set<String> TEXT = Set.of(
            "text", "textbf", "textit", "textrm", "textsf", "texttt", "textnormal", "textup", "mbox", "hbox",
            "emph", "textmd", "textsc", "mathrm", "rm");

    /** Commands whose braced argument is kept as if the command were not there. */
    private static final Set<String> TRANSPARENT = Set.of(
            "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "mathscr", "mathfrak", "boldsymbol", "bm",
            "operatorname", "hat", "widehat", "vec", "tilde", "widetilde", "bar", "overline", "underline",
            "overrightarrow", "overleftrightarrow", "boxed", "fbox", "framebox", "ensuremath", "mathop",
            "textcolor", "underbrace", "overbrace", "cancel", "displaylines");

    /** Commands dropped together with their braced argument. */
    private static final Set<String> DROP_WITH_ARGUMENT = Set.of(
            "color", "phantom", "hphantom", "vphantom", "hspace", "vspace", "label", "tag", "kern", "mspace",
            "hskip", "vskip", "mkern");

    /** Matrix-like environments. */
    private static final Set<String> MATRICES = Set.of(
            "matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix", "array",
            "pmatrix*", "bmatrix*");

    /** Commands renamed to one canonical spelling. */
    private static final Map<String, String> SYNONYMS = Map.ofEntries(
            Map.entry("dfrac", "\\frac"), Map.entry("tfrac", "\\frac"), Map.entry("cfrac", "\\frac"),
            Map.entry("nicefrac", "\\frac"), Map.entry("sfrac", "\\frac"), Map.entry("frac", "\\frac"),
            Map.entry("dbinom", "\\binom"), Map.entry("tbinom", "\\binom"), Map.entry("binom", "\\binom"),
            Map.entry("choose", "\\binom"),
            Map.entry("le", "\\le"), Map.entry("leq", "\\le"), Map.entry("leqslant", "\\le"),
            Map.entry("leqq", "\\le"), Map.entry("ge", "\\ge"), Map.entry("geq", "\\ge"),
            Map.entry("geqslant", "\\ge"), Map.entry("geqq", "\\ge"), Map.entry("ne", "\\ne"),
            Map.entry("neq", "\\ne"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("approx", "\\approx"),
            Map.entry("simeq", "="), Map.entry("doteq", "="), Map.entry("equiv", "="), Map.entry("cong", "="),
            Map.entry("coloneqq", "="), Map.entry("eq", "="),
            Map.entry("cdot", "*"), Map.entry("times", "*"), Map.entry("ast", "*"), Map.entry("cdotp", "*"),
            Map.entry("div", "/"), Map.entry("over", "/"), Map.entry("pm", "\\pm"), Map.entry("mp", "\\mp"),
            Map.entry("infty", "\\infty"), Map.entry("infin", "\\infty"), Map.entry("pi", "\\pi"),
            Map.entry("varpi", "\\pi"), Map.entry("emptyset", "\\emptyset"), Map.entry("varnothing", "\\emptyset"),
            Map.entry("circ", "\\circ"), Map.entry("degree", "\\circ"), Map.entry("degrees", "\\circ"),
            Map.entry("lbrace", "\\{"), Map.entry("rbrace", "\\}"), Map.entry("langle", "("),
            Map.entry("rangle", ")"), Map.entry("lparen", "("), Map.entry("rparen", ")"),
            Map.entry("lbrack", "["), Map.entry("rbrack", "]"), Map.entry("vert", "|"), Map.entry("lvert", "|"),
            Map.entry("rvert", "|"), Map.entry("mid", "|"), Map.entry("Vert", "|"), Map.entry("lVert", "|"),
            Map.entry("rVert", "|"), Map.entry("ldots", "\\ldots"), Map.entry("cdots", "\\ldots"),
            Map.entry("dots", "\\ldots"), Map.entry("dotsc", "\\ldots"), Map.entry("dotsb", "\\ldots"),
            Map.entry("dotso", "\\ldots"), Map.entry("cup", "\\cup"), Map.entry("cap", "\\cap"),
            Map.entry("setminus", "\\setminus"), Map.entry("backslash", "\\setminus"), Map.entry("in", "\\in"),
            Map.entry("lfloor", "\\lfloor"), Map.entry("rfloor", "\\rfloor"), Map.entry("lceil", "\\lceil"),
            Map.entry("rceil", "\\rceil"), Map.entry("sqrt", "\\sqrt"), Map.entry("prime", "'"),
            Map.entry("colon", ":"), Map.entry("wedge", "and"), Map.entry("land", "and"), Map.entry("vee", "or"),
            Map.entry("lor", "or"), Map.entry("exp", "\\exp"), Map.entry("to", "\\to"),
            Map.entry("rightarrow", "\\to"), Map.entry("Rightarrow", "\\to"), Map.entry("implies", "\\to"));

    /** Greek letters typed as unicode, renamed to their commands. */
    private static final Map<Character, String> GREEK = Map.ofEntries(
            Map.entry('\u03b1', "\\alpha"), Map.entry('\u03b2', "\\beta"), Map.entry('\u03b3', "\\gamma"),
            Map.entry('\u03b4', "\\delta"), Map.entry('\u03b5', "\\epsilon"), Map.entry('\u03b6', "\\zeta"),
            Map.entry('\u03b7', "\\eta"), Map.entry('\u03b8', "\\theta"), Map.entry('\u03bb', "\\lambda"),
            Map.entry('\u03bc', "\\mu"), Map.entry('\u03bd', "\\nu"), Map.entry('\u03be', "\\xi"),
            Map.entry('\u03c1', "\\rho"), Map.entry('\u03c3', "\\sigma"), Map.entry('\u03c4', "\\tau"),
            Map.entry('\u03c6', "\\phi"), Map.entry('\u03c7', "\\chi"), Map.entry('\u03c8', "\\psi"),
            Map.entry('\u03c9', "\\omega"), Map.entry('\u0394', "\\Delta"), Map.entry('\u03a9', "\\Omega"),
            Map.entry('\u03a3', "\\Sigma"), Map.entry('\u03a6', "\\Phi"), Map.entry('\u0398', "\\Theta"));

    private final String s;
    private final int n;
    private final Budget budget;
    private final List<Token> out = new ArrayList<>();
    /** Positions of closing braces that belong to a removed command: skipped when reached. */
    private final Deque<Integer> skipClose = new ArrayDeque<>();
    private int pos;
    private int depth;
    private int textEnd = -1;

    private Lexer(String s, Budget budget) {
        this.s = s;
        this.n = s.length();
        this.budget = budget;
    }

    /** The tokens of {@code answer}, ending with {@link Token#END}. */
    static List<Token> lex(String answer, Budget budget) {
        Lexer lexer = new Lexer(answer, budget);
        lexer.run();
        return lexer.out;
    }

    private void run() {
        while (pos < n) {
            budget.tick();
            if (!skipClose.isEmpty() && pos == skipClose.peek()) {
                skipClose.pop();
                pos++;
                continue;
            }
            char c = s.charAt(pos);
            if (c >= '0' && c <= '9' || c == '.' && pos + 1 < n && isDigit(s.charAt(pos + 1))) {
                number();
            } else if (c == '\\') {
                backslash();
            } else if (isLetter(c)) {
                word();
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '$' || c == '~'
                    || c == '\u200b') {
                pos++;
            } else {
                symbolOrUnicode(c);
            }
        }
        out.add(Token.END);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c > 127 && Character.isLetter(c)
                && !isGreekOrSpecial(c);
    }

    private static boolean isGreekOrSpecial(char c) {
        return c >= '\u0391' && c <= '\u03c9';
    }

    private boolean inText() {
        return pos < textEnd;
    }

    // ---------------------------------------------------------------- numbers

    private void number() {
        boolean text = inText();
        StringBuilder whole = new StringBuilder();
        while (pos < n && isDigit(s.charAt(pos))) {
            whole.append(s.charAt(pos++));
        }
        Token before = out.isEmpty() ? Token.END : out.get(out.size() - 1);
        boolean script = before.is("_") || before.is("^");
        if (whole.length() > 0 && whole.length() <= 3 && !script) {
            int separator;
            while ((separator = thousandsSeparator(pos)) > 0) {
                whole.append(s, pos + separator, pos + separator + 3);
                pos += separator + 3;
            }
        }
        StringBuilder fraction = new StringBuilder();
        String repeating = null;
        boolean point = false;
        if (pos < n && s.charAt(pos) == '.' && (pos + 1 < n && (isDigit(s.charAt(pos + 1))
                || s.startsWith("\\overline", pos + 1) || s.startsWith("\\dot", pos + 1)
                || s.charAt(pos + 1) == '(' && whole.length() > 0 && bracketedDigits(pos + 1)))) {
            point = true;
            pos++;
            while (pos < n && isDigit(s.charAt(pos))) {
                fraction.append(s.charAt(pos++));
            }
            repeating = repeatingDigits(fraction);
        }
        int exponent = 0;
        boolean hasExponent = false;
        if (repeating == null && pos + 1 < n && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            int p = pos + 1;
            boolean negative = false;
            if (s.charAt(p) == '+' || s.charAt(p) == '-') {
                negative = s.charAt(p) == '-';
                p++;
            }
            int start = p;
            while (p < n && isDigit(s.charAt(p)) && p - start < 12) {
                p++;
            }
            if (p > start && (p >= n || !isLetter(s.charAt(p)))) {
                long e = Long.parseLong(s.substring(start, p));
                exponent = (int) Math.min(e, 1_000_000_000L) * (negative ? -1 : 1);
                hasExponent = true;
                pos = p;
            }
        }
        String wholeDigits = stripLeadingZeros(whole.toString());
        if (!point && !hasExponent && pos + 1 < n && s.charAt(pos) == '_') {
            if (base(wholeDigits, text)) {
                return;
            }
        }
        Rational value;
        StringBuilder spelling = new StringBuilder(wholeDigits);
        if (repeating != null) {
            value = repeatingValue(wholeDigits, fraction.toString(), repeating);
            spelling.append('.').append(fraction).append("\\overline{").append(repeating).append('}');
        } else {
            BigInteger unscaled = new BigInteger(wholeDigits + fraction);
            long scale = (long) fraction.length() - exponent;
            value = unscaled.signum() == 0 ? Rational.ZERO
                    : Math.abs(scale) > Rational.MAX_BITS ? null : Rational.ofDecimal(unscaled, (int) scale);
            if (fraction.length() > 0) {
                spelling.append('.').append(fraction);
            }
            if (hasExponent) {
                spelling.append('e').append(exponent);
            }
        }
        boolean approximate = repeating == null && (fraction.length() > 0 || hasExponent);
        out.add(new Token(Token.Kind.NUMBER, spelling.toString(), value, approximate, text));
    }

    private static String stripLeadingZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.isEmpty() ? "0" : digits.substring(i);
    }

    /**
     * The length of a thousands separator at {@code p} that is followed by exactly three digits, or 0. A bare
     * comma counts only outside brackets and when no space follows it, so that {@code (1,234)} stays a pair and
     * {@code 1, 234} a list.
     */
    private int thousandsSeparator(int p) {
        int length;
        if (p < n && s.charAt(p) == ',' && depth == 0) {
            length = 1;
        } else if (s.startsWith("{,}", p)) {
            length = 3;
        } else if (s.startsWith("\\,", p) || s.startsWith("\\ ", p) || s.startsWith("\\;", p)) {
            length = 2;
        } else if (p < n && s.charAt(p) == ' ') {
            length = 1;
            while (p + length < n && s.charAt(p + length) == ' ') {
                length++;
            }
        } else {
            return 0;
        }
        int q = p + length;
        if (q + 3 > n) {
            return 0;
        }
        for (int i = q; i < q + 3; i++) {
            if (!isDigit(s.charAt(i))) {
                return 0;
            }
        }
        return q + 3 < n && isDigit(s.charAt(q + 3)) ? 0 : length;
    }

    /**
     * The repeating block that follows the fraction digits just read ({@code \overline{..}}, {@code \dot{.}},
     * {@code (..)} written right after the digits, or an ellipsis after at least two periods), consuming it;
     * {@code null} when there is none.
     */
    private String repeatingDigits(StringBuilder fraction) {
        for (String command : new String[] {"\\overline", "\\dot"}) {
            if (s.startsWith(command, pos)) {
                int p = pos + command.length();
                while (p < n && s.charAt(p) == ' ') {
                    p++;
                }
                if (p < n && s.charAt(p) == '{') {
                    int close = s.indexOf('}', p);
                    if (close > p + 1 && allDigits(p + 1, close)) {
                        pos = close + 1;
                        return s.substring(p + 1, close);
                    }
                } else if (p < n && isDigit(s.charAt(p))) {
                    pos = p + 1;
                    return s.substring(p, p + 1);
                }
            }
        }
        if (pos < n && s.charAt(pos) == '(' && bracketedDigits(pos)) {
            int close = s.indexOf(')', pos);
            if (close > pos + 1 && close - pos <= 40 && allDigits(pos + 1, close)) {
                String block = s.substring(pos + 1, close);
                pos = close + 1;
                return block;
            }
        }
        int ellipsis = ellipsisLength(pos);
        if (ellipsis > 0 && fraction.length() >= 2) {
            for (int period = 1; period * 2 <= fraction.length(); period++) {
                int length = fraction.length();
                boolean periodic = true;
                for (int i = length - period; i < length; i++) {
                    if (fraction.charAt(i) != fraction.charAt(i - period)) {
                        periodic = false;
                        break;
                    }
                }
                if (periodic) {
                    int start = length - 2 * period;
                    while (start > 0 && fraction.charAt(start - 1) == fraction.charAt(start - 1 + period)) {
                        start--;
                    }
                    String block = fraction.substring(start, start + period);
                    fraction.setLength(start);
                    pos += ellipsis;
                    return block;
                }
            }
        }
        return null;
    }

    /** Whether {@code (digits)} with at most 40 digits starts at {@code p}. */
    private boolean bracketedDigits(int p) {
        int close = s.indexOf(')', p);
        return close > p + 1 && close - p <= 41 && allDigits(p + 1, close);
    }

    private int ellipsisLength(int p) {
        if (s.startsWith("...", p)) {
            int q = p;
            while (q < n && s.charAt(q) == '.') {
                q++;
            }
            return q - p;
        }
        if (p < n && s.charAt(p) == '\u2026') {
            return 1;
        }
        for (String command : new String[] {"\\ldots", "\\cdots", "\\dots"}) {
            if (s.startsWith(command, p) && (p + command.length() >= n || !isLetter(s.charAt(p + command.length())))) {
                return command.length();
            }
        }
        return 0;
    }

    private boolean allDigits(int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return to > from;
    }

    private static Rational repeatingValue(String whole, String fixed, String block) {
        // x = whole.fixed(block) = (whole.fixed) + block / ((10^r - 1) * 10^k), k = fixed digits, r = block digits
        int k = fixed.length();
        int r = block.length();
        Rational head = Rational.ofDecimal(new BigInteger(whole + fixed), k);
        Rational tail = Rational.of(new BigInteger(block),
                BigInteger.TEN.pow(r).subtract(BigInteger.ONE).multiply(BigInteger.TEN.pow(k)));
        return head == null || tail == null ? null : head.add(tail);
    }

    /** Reads {@code _b} or {@code _{b}} after the digits of a whole number; false when it is not a base. */
    private boolean base(String digits, boolean text) {
        int p = pos + 1;
        boolean braced = p < n && s.charAt(p) == '{';
        if (braced) {
            p++;
        }
        int start = p;
        while (p < n && isDigit(s.charAt(p)) && p - start < 3) {
            p++;
        }
        if (p == start || braced && (p >= n || s.charAt(p) != '}')) {
            return false;
        }
        int radix = Integer.parseInt(s.substring(start, p));
        if (radix < 2 || radix > 10 || digits.length() > 200) {
            return false;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) - '0' >= radix) {
                return false;
            }
        }
        pos = braced ? p + 1 : p;
        BigInteger value = new BigInteger(digits, radix);
        out.add(new Token(Token.Kind.NUMBER, value.toString(), Rational.of(value), false, text));
        return true;
    }

    // ---------------------------------------------------------------- words and commands

    private void word() {
        int start = pos;
        boolean text = inText();
        while (pos < n && isLetter(s.charAt(pos))) {
            pos++;
        }
        out.add(Token.word(s.substring(start, pos), text));
    }

    private void backslash() {
        if (pos + 1 >= n) {
            pos++;
            return;
        }
        char c = s.charAt(pos + 1);
        if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
            pos += 2;
            switch (c) {
                case '\\' -> out.add(Token.symbol("\\\\"));
                case '{' -> open("\\{");
                case '}' -> close("\\}");
                case '%' -> out.add(Token.symbol("%"));
                case '$' -> out.add(Token.word("$", true));
                case '|' -> out.add(Token.symbol("|"));
                case '&' -> out.add(Token.word("and", true));
                case '#', '_' -> out.add(Token.symbol(String.valueOf(c)));
                default -> {
                    // spacing: \, \; \: \! \  \> and anything unknown
                }
            }
            return;
        }
        int start = pos + 1;
        int p = start;
        while (p < n && (s.charAt(p) >= 'a' && s.charAt(p) <= 'z' || s.charAt(p) >= 'A' && s.charAt(p) <= 'Z')) {
            p++;
        }
        String name = s.substring(start, p);
        if (p < n && s.charAt(p) == '*') {
            p++;
        }
        pos = p;
        if (NOISE.contains(name)) {
            if ((name.equals("left") || name.equals("right") || name.equals("middle")) && pos < n
                    && s.charAt(pos) == '.') {
                pos++;
            }
            return;
        }
        if (name.equals("begin") || name.equals("end")) {
            environment(name.equals("begin"));
            return;
        }
        if (name.equals("mathbb") || name.equals("Bbb") || name.equals("mathbf") && peekBracedLetter("R")) {
            String letter = bracedArgument();
            if (letter != null) {
                out.add(Token.word("\\mathbb{" + letter.trim() + "}", false));
                return;
            }
        }
        if (TEXT.contains(name) || TRANSPARENT.contains(name) || DROP_WITH_ARGUMENT.contains(name)) {
            argumentCommand(name);
            return;
        }
        String synonym = SYNONYMS.get(name);
        if (synonym != null) {
            if (synonym.equals("and") || synonym.equals("or")) {
                out.add(Token.word(synonym, true));
            } else if (synonym.equals("\\{")) {
                open(synonym);
            } else if (synonym.equals("\\}")) {
                close(synonym);
            } else if (synonym.equals("(") || synonym.equals("[")) {
                open(synonym);
            } else if (synonym.equals(")") || synonym.equals("]")) {
                close(synonym);
            } else if (synonym.startsWith("\\") || synonym.equals("'")) {
                out.add(Token.command(synonym));
            } else {
                out.add(Token.symbol(synonym));
            }
            return;
        }
        if (name.equals("not") && pos < n && s.charAt(pos) == '=') {
            pos++;
            out.add(Token.command("\\ne"));
            return;
        }
        out.add(Token.command("\\" + name));
    }

    private boolean peekBracedLetter(String letter) {
        int p = pos;
        while (p < n && s.charAt(p) == ' ') {
            p++;
        }
        return s.startsWith("{" + letter + "}", p);
    }

    /** Reads a short braced argument {@code {X}} or a single letter; {@code null} when absent. */
    private String bracedArgument() {
        int p = pos;
        while (p < n && s.charAt(p) == ' ') {
            p++;
        }
        if (p < n && s.charAt(p) == '{') {
            int close = s.indexOf('}', p);
            if (close > p && close - p <= 12) {
                pos = close + 1;
                return s.substring(p + 1, close);
            }
            return null;
        }
        if (p < n && isLetter(s.charAt(p))) {
            pos = p + 1;
            return s.substring(p, p + 1);
        }
        return null;
    }

    private void argumentCommand(String name) {
        int p = pos;
        while (p < n && s.charAt(p) == ' ') {
            p++;
        }
        if (name.equals("textcolor") || name.equals("color")) {
            // \textcolor{red}{x}: drop the colour name; \color{red} x: drop the colour only
            int close = p < n && s.charAt(p) == '{' ? matchingBrace(p) : -1;
            if (close < 0) {
                return;
            }
            pos = close + 1;
            if (name.equals("color")) {
                return;
            }
            p = pos;
            while (p < n && s.charAt(p) == ' ') {
                p++;
            }
        }
        if (p >= n || s.charAt(p) != '{') {
            return; // \rm x, \bar x: the next token stands for itself
        }
        int close = matchingBrace(p);
        if (close < 0) {
            pos = p + 1;
            return;
        }
        if (DROP_WITH_ARGUMENT.contains(name)) {
            pos = close + 1;
            return;
        }
        pos = p + 1;
        skipClose.push(close);
        if (TEXT.contains(name)) {
            textEnd = Math.max(textEnd, close);
        }
    }

    /** The index of the brace closing the one at {@code open}, or -1; linear, no recursion. */
    private int matchingBrace(int open) {
        int level = 0;
        for (int i = open; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                level++;
            } else if (c == '}' && --level == 0) {
                return i;
            }
        }
        return -1;
    }

    private void environment(boolean begin) {
        String name = bracedArgument();
        if (name == null) {
            return;
        }
        name = name.trim();
        if (MATRICES.contains(name)) {
            out.add(Token.command(begin ? "\\begin{matrix}" : "\\end{matrix}"));
            if (begin && name.equals("array")) {
                int p = pos;
                while (p < n && s.charAt(p) == ' ') {
                    p++;
                }
                if (p < n && s.charAt(p) == '{') {
                    int close = matchingBrace(p);
                    if (close > 0) {
                        pos = close + 1;
                    }
                }
            }
        }
        // other environments (align, cases, equation...) only structure the layout: dropped
    }

    private void open(String text) {
        depth++;
        out.add(Token.symbol(text));
    }

    private void close(String text) {
        depth = Math.max(0, depth - 1);
        out.add(Token.symbol(text));
    }

    // ---------------------------------------------------------------- symbols

    private void symbolOrUnicode(char c) {
        pos++;
        switch (c) {
            case '(', '[' -> open(String.valueOf(c));
            case '{' -> open("{");
            case ')', ']' -> close(String.valueOf(c));
            case '}' -> close("}");
            case '<' -> out.add(Token.symbol(consume('=') ? "\\le" : consume('>') ? "\\ne" : "<"));
            case '>' -> out.add(Token.symbol(consume('=') ? "\\ge" : ">"));
            case '!' -> out.add(Token.symbol(consume('=') ? "\\ne" : "!"));
            case '=' -> {
                if (consume('<')) {
                    out.add(Token.symbol("\\le"));
                } else if (consume('>')) {
                    out.add(Token.symbol("\\ge"));
                } else {
                    consume('=');
                    out.add(Token.symbol("="));
                }
            }
            case ':' -> out.add(Token.symbol(consume('=') ? "=" : ":"));
            case '*' -> out.add(Token.symbol(consume('*') ? "^" : "*"));
            case '+', '-', '/', '^', '_', ',', ';', '|', '&', '\'', '%', '.' -> out.add(Token.symbol(String.valueOf(c)));
            case '\u2212', '\u2013', '\u2014', '\u2010', '\u2011', '\ufe63', '\uff0d' -> out.add(Token.symbol("-"));
            case '\u00d7', '\u00b7', '\u22c5', '\u2219', '\u2217' -> out.add(Token.symbol("*"));
            case '\u00f7', '\u2215' -> out.add(Token.symbol("/"));
            case '\u221a' -> out.add(Token.command("\\sqrt"));
            case '\u221b' -> {
                out.add(Token.command("\\sqrt"));
                out.add(Token.symbol("["));
                out.add(number(3));
                out.add(Token.symbol("]"));
            }
            case '\u03c0' -> out.add(Token.command("\\pi"));
            case '\u221e' -> out.add(Token.command("\\infty"));
            case '\u2264', '\u2a7d' -> out.add(Token.symbol("\\le"));
            case '\u2265', '\u2a7e' -> out.add(Token.symbol("\\ge"));
            case '\u2260' -> out.add(Token.symbol("\\ne"));
            case '\u2248' -> out.add(Token.command("\\approx"));
            case '\u2243', '\u2245', '\u2261' -> out.add(Token.symbol("="));
            case '\u00b1' -> out.add(Token.command("\\pm"));
            case '\u2213' -> out.add(Token.command("\\mp"));
            case '\u222a' -> out.add(Token.command("\\cup"));
            case '\u2229' -> out.add(Token.command("\\cap"));
            case '\u2208' -> out.add(Token.command("\\in"));
            case '\u2205' -> out.add(Token.command("\\emptyset"));
            case '\u00b0', '\u2218' -> out.add(Token.command("\\circ"));
            case '\u2026' -> out.add(Token.command("\\ldots"));
            case '\u2032' -> out.add(Token.symbol("'"));
            case '\uff0c', '\u3001' -> out.add(Token.symbol(","));
            case '\uff08' -> open("(");
            case '\uff09' -> close(")");
            case '\u27e8' -> open("(");
            case '\u27e9' -> close(")");
            case '\u2070', '\u00b9', '\u00b2', '\u00b3', '\u2074', '\u2075', '\u2076', '\u2077', '\u2078', '\u2079',
                    '\u207b' -> superscript(c);
            case '\u00bd' -> fraction(1, 2);
            case '\u2153' -> fraction(1, 3);
            case '\u2154' -> fraction(2, 3);
            case '\u00bc' -> fraction(1, 4);
            case '\u00be' -> fraction(3, 4);
            case '\u2155' -> fraction(1, 5);
            case '\u2156' -> fraction(2, 5);
            case '\u2157' -> fraction(3, 5);
            case '\u2158' -> fraction(4, 5);
            case '\u2159' -> fraction(1, 6);
            case '\u215a' -> fraction(5, 6);
            case '\u215b' -> fraction(1, 8);
            case '\u215c' -> fraction(3, 8);
            case '\u215d' -> fraction(5, 8);
            case '\u215e' -> fraction(7, 8);
            case '\u2150' -> fraction(1, 7);
            case '\u2151' -> fraction(1, 9);
            case '\u2152' -> fraction(1, 10);
            default -> {
                String greek = GREEK.get(c);
                if (greek != null) {
                    out.add(Token.command(greek));
                } else if (c >= '\uff10' && c <= '\uff19') {
                    out.add(number(c - '\uff10'));
                } else {
                    out.add(Token.symbol(String.valueOf(c)));
                }
            }
        }
    }

    private boolean consume(char c) {
        if (pos < n && s.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private static Token number(long value) {
        return new Token(Token.Kind.NUMBER, Long.toString(value), Rational.of(value), false, false);
    }

    private void fraction(int numerator, int denominator) {
        out.add(Token.command("\\frac"));
        out.add(Token.symbol("{"));
        out.add(number(numerator));
        out.add(Token.symbol("}"));
        out.add(Token.symbol("{"));
        out.add(number(denominator));
        out.add(Token.symbol("}"));
    }

    private static int superscriptDigit(char c) {
        return switch (c) {
            case '\u2070' -> 0;
            case '\u00b9' -> 1;
            case '\u00b2' -> 2;
            case '\u00b3' -> 3;
            case '\u2074' -> 4;
            case '\u2075' -> 5;
            case '\u2076' -> 6;
            case '\u2077' -> 7;
            case '\u2078' -> 8;
            case '\u2079' -> 9;
            default -> -1;
        };
    }

    /** {@code x²} and {@code x⁻¹}: a run of superscript characters becomes {@code ^{digits}}. */
    private void superscript(char first) {
        boolean negative = first == '\u207b';
        StringBuilder digits = new StringBuilder();
        if (!negative) {
            digits.append((char) ('0' + superscriptDigit(first)));
        }
        while (pos < n && superscriptDigit(s.charAt(pos)) >= 0 && digits.length() < 9) {
            digits.append((char) ('0' + superscriptDigit(s.charAt(pos++))));
        }
        out.add(Token.symbol("^"));
        out.add(Token.symbol("{"));
        if (negative) {
            out.add(Token.symbol("-"));
        }
        if (digits.length() > 0) {
            out.add(number(Long.parseLong(digits.toString())));
        }
        out.add(Token.symbol("}"));
    }
}
