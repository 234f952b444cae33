package ai.redstar.core.tokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Splits a template into tokens exactly as Jinja's lexer does with {@code trim_blocks=True},
 * {@code lstrip_blocks=True} and the default delimiters: newlines normalised to {@code \n}, one trailing newline
 * dropped, {@code -} and {@code +} whitespace control, {@code raw} blocks, comments, Python-style literals.
 */
final class JinjaLexer {
    enum Kind {
        DATA, BLOCK_BEGIN, BLOCK_END, VARIABLE_BEGIN, VARIABLE_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
    }

    /** A token; {@code value} is the text for DATA/NAME/STRING/OPERATOR, a Long or Double for numbers. */
    record Token(Kind kind, Object value, int position) {
        boolean is(Kind k, String text) {
            return kind == k && value.equals(text);
        }

        boolean isName(String name) {
            return kind == Kind.NAME && value.equals(name);
        }

        boolean isOperator(String op) {
            return kind == Kind.OPERATOR && value.equals(op);
        }

        String describe() {
            switch (kind) {
                case EOF:
                    return "end of template";
                case BLOCK_BEGIN:
                    return "'{%'";
                case BLOCK_END:
                    return "'%}'";
                case VARIABLE_BEGIN:
                    return "'{{'";
                case VARIABLE_END:
                    return "'}}'";
                case DATA:
                    return "template data";
                case STRING:
                    return "string " + PyOps.reprString((String) value);
                default:
                    return "'" + value + "'";
            }
        }
    }

    /** The normalised source and a position-to-line/column map for error messages. */
    static final class Source {
        final String text;
        private final int[] lineStarts;

        Source(String raw) {
            String normalized = raw.replace("\r\n", "\n").replace('\r', '\n');
            if (normalized.endsWith("\n")) {
                normalized = normalized.substring(0, normalized.length() - 1);
            }
            this.text = normalized;
            List<Integer> starts = new ArrayList<>();
            starts.add(0);
            for (int i = 0; i < normalized.length(); i++) {
                if (normalized.charAt(i) == '\n') {
                    starts.add(i + 1);
                }
            }
            this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        }

        /** "line L, column C" for a position in {@link #text}. */
        String where(int position) {
            int line = lineOf(position);
            int column = position - lineStarts[line] + 1;
            return "line " + (line + 1) + ", column " + column;
        }

        /** The source line holding a position, for quoting in error messages (cut to 80 characters). */
        String excerpt(int position) {
            int line = lineOf(position);
            int start = lineStarts[line];
            int end = text.indexOf('\n', start);
            String content = text.substring(start, end < 0 ? text.length() : end).strip();
            return content.length() <= 80 ? content : content.substring(0, 77) + "...";
        }

        private int lineOf(int position) {
            int low = 0;
            int high = lineStarts.length - 1;
            while (low < high) {
                int mid = (low + high + 1) >>> 1;
                if (lineStarts[mid] <= Math.max(0, position)) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            return low;
        }
    }

    /** A syntax error at a position. */
    static final class SyntaxError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int position;

        SyntaxError(String message, int position) {
            super(message, null, false, false);
            this.position = position;
        }
    }

    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<",
        "=", ".", ":", "|", ",", ";"
    };

    private final String s;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private boolean lineStarting = true;

    private JinjaLexer(Source source) {
        this.s = source.text;
    }

    static List<Token> tokenize(Source source) {
        JinjaLexer lexer = new JinjaLexer(source);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        while (pos < s.length()) {
            int open = findOpener(pos);
            if (open < 0) {
                tokens.add(new Token(Kind.DATA, s.substring(pos), pos));
                pos = s.length();
                break;
            }
            char type = s.charAt(open + 1);
            char sign = open + 2 < s.length() ? s.charAt(open + 2) : 0;
            boolean signed = sign == '-' || sign == '+';
            String text = s.substring(pos, open);
            if (sign == '-') {
                text = JinjaMethods.strip(text, null, false, true);
            } else if (sign != '+' && type != '{') {
                int lineStart = text.lastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && lineStart < text.length()
                        && allSpace(text, lineStart)) {
                    text = text.substring(0, lineStart);
                }
            }
            if (!text.isEmpty()) {
                tokens.add(new Token(Kind.DATA, text, pos));
            }
            pos = open + 2 + (signed ? 1 : 0);
            lineStarting = false;
            if (type == '#') {
                comment(open);
            } else if (type == '%' && raw(open)) {
                continue;
            } else if (type == '%') {
                tokens.add(new Token(Kind.BLOCK_BEGIN, "{%", open));
                tag(true, open);
            } else {
                tokens.add(new Token(Kind.VARIABLE_BEGIN, "{{", open));
                tag(false, open);
            }
        }
        tokens.add(new Token(Kind.EOF, "", s.length()));
    }

    private int findOpener(int from) {
        int i = from;
        while (true) {
            int brace = s.indexOf('{', i);
            if (brace < 0 || brace + 1 >= s.length()) {
                return -1;
            }
            char next = s.charAt(brace + 1);
            if (next == '{' || next == '%' || next == '#') {
                return brace;
            }
            i = brace + 1;
        }
    }

    private static boolean allSpace(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (!PyOps.isSpace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private int skipSpace(int i) {
        while (i < s.length() && PyOps.isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private void comment(int open) {
        int i = pos;
        while (i < s.length()) {
            if (s.startsWith("+#}", i)) {
                finishAt(i + 3);
                return;
            }
            if (s.startsWith("-#}", i)) {
                finishAt(skipSpace(i + 3));
                return;
            }
            if (s.startsWith("#}", i)) {
                int end = i + 2;
                if (end < s.length() && s.charAt(end) == '\n') {
                    end++;
                }
                finishAt(end);
                return;
            }
            i++;
        }
        throw new SyntaxError("missing end of comment tag '#}'", open);
    }

    private void finishAt(int end) {
        lineStarting = end > 0 && s.charAt(end - 1) == '\n';
        pos = end;
    }

    /** Handles {@code {% raw %}...{% endraw %}}; returns false when the block tag is not {@code raw}. */
    private boolean raw(int open) {
        int i = skipSpace(pos);
        if (!s.startsWith("raw", i)) {
            return false;
        }
        i = skipSpace(i + 3);
        int contentStart;
        if (s.startsWith("-%}", i)) {
            contentStart = skipSpace(i + 3);
        } else if (s.startsWith("%}", i)) {
            contentStart = i + 2;
        } else {
            return false;
        }
        int search = contentStart;
        while (true) {
            int tag = s.indexOf("{%", search);
            if (tag < 0) {
                throw new SyntaxError("missing end of raw directive '{% endraw %}'", open);
            }
            int j = tag + 2;
            char sign = j < s.length() ? s.charAt(j) : 0;
            if (sign == '-' || sign == '+') {
                j++;
            }
            j = skipSpace(j);
            if (s.startsWith("endraw", j)) {
                int k = skipSpace(j + 6);
                int end;
                if (s.startsWith("+%}", k)) {
                    end = k + 3;
                } else if (s.startsWith("-%}", k)) {
                    end = skipSpace(k + 3);
                } else if (s.startsWith("%}", k)) {
                    end = k + 2;
                    if (end < s.length() && s.charAt(end) == '\n') {
                        end++;
                    }
                } else {
                    search = tag + 2;
                    continue;
                }
                String content = s.substring(contentStart, tag);
                if (sign == '-') {
                    content = JinjaMethods.strip(content, null, false, true);
                } else if (sign != '+') {
                    int lineStart = content.lastIndexOf('\n') + 1;
                    boolean startsLine = contentStart > 0 && s.charAt(contentStart - 1) == '\n';
                    if ((lineStart > 0 || startsLine) && lineStart < content.length()
                            && allSpace(content, lineStart)) {
                        content = content.substring(0, lineStart);
                    }
                }
                if (!content.isEmpty()) {
                    tokens.add(new Token(Kind.DATA, content, contentStart));
                }
                finishAt(end);
                return true;
            }
            search = tag + 2;
        }
    }

    private void tag(boolean block, int open) {
        Deque<Character> balance = new ArrayDeque<>();
        while (true) {
            if (pos >= s.length()) {
                throw new SyntaxError("unexpected end of template: the " + (block ? "'{%'" : "'{{'")
                        + " opened here is never closed", open);
            }
            if (balance.isEmpty()) {
                if (block) {
                    if (s.startsWith("+%}", pos)) {
                        tokens.add(new Token(Kind.BLOCK_END, "%}", pos));
                        finishAt(pos + 3);
                        return;
                    }
                    if (s.startsWith("-%}", pos)) {
                        tokens.add(new Token(Kind.BLOCK_END, "%}", pos));
                        finishAt(skipSpace(pos + 3));
                        return;
                    }
                    if (s.startsWith("%}", pos)) {
                        tokens.add(new Token(Kind.BLOCK_END, "%}", pos));
                        int end = pos + 2;
                        if (end < s.length() && s.charAt(end) == '\n') {
                            end++;
                        }
                        finishAt(end);
                        return;
                    }
                } else {
                    if (s.startsWith("-}}", pos)) {
                        tokens.add(new Token(Kind.VARIABLE_END, "}}", pos));
                        finishAt(skipSpace(pos + 3));
                        return;
                    }
                    if (s.startsWith("}}", pos)) {
                        tokens.add(new Token(Kind.VARIABLE_END, "}}", pos));
                        finishAt(pos + 2);
                        return;
                    }
                }
            }
            char c = s.charAt(pos);
            if (PyOps.isSpace(c)) {
                pos = skipSpace(pos);
                continue;
            }
            if (number()) {
                continue;
            }
            if (name()) {
                continue;
            }
            if (c == '\'' || c == '"') {
                if (string(c)) {
                    continue;
                }
            }
            operator(balance);
        }
    }

    private boolean number() {
        int start = pos;
        char c = s.charAt(pos);
        if (!isDigit(c)) {
            return false;
        }
        // float: digits with '_' separators, then a fraction and/or an exponent; never right after a '.'
        if (start == 0 || s.charAt(start - 1) != '.') {
            int i = digits(start);
            boolean fraction = false;
            int afterFraction = i;
            if (i < s.length() && s.charAt(i) == '.' && i + 1 < s.length() && isDigit(s.charAt(i + 1))) {
                afterFraction = digits(i + 1);
                fraction = true;
            }
            int j = afterFraction;
            boolean exponent = false;
            if (j < s.length() && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
                int k = j + 1;
                if (k < s.length() && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
                    k++;
                }
                if (k < s.length() && isDigit(s.charAt(k))) {
                    j = digits(k);
                    exponent = true;
                }
            }
            if (fraction || exponent) {
                int end = exponent ? j : afterFraction;
                String text = s.substring(start, end).replace("_", "");
                tokens.add(new Token(Kind.FLOAT, Double.parseDouble(text), start));
                pos = end;
                return true;
            }
        }
        // integer: 0b.., 0o.., 0x.., decimal without leading zeros, or zeros
        int end;
        long value;
        if (c == '0' && pos + 1 < s.length() && "bBoOxX".indexOf(s.charAt(pos + 1)) >= 0) {
            char base = Character.toLowerCase(s.charAt(pos + 1));
            int radix = base == 'b' ? 2 : base == 'o' ? 8 : 16;
            int i = pos + 2;
            StringBuilder digits = new StringBuilder();
            while (i < s.length()) {
                char d = s.charAt(i);
                if (d == '_' && i + 1 < s.length() && Character.digit(s.charAt(i + 1), radix) >= 0) {
                    i++;
                    continue;
                }
                if (Character.digit(d, radix) < 0) {
                    break;
                }
                digits.append(d);
                i++;
            }
            if (digits.length() == 0) {
                tokens.add(new Token(Kind.INTEGER, 0L, start));
                pos = start + 1;
                return true;
            }
            value = parseLong(digits.toString(), radix, start);
            end = i;
        } else if (c == '0') {
            int i = pos + 1;
            while (i < s.length()) {
                if (s.charAt(i) == '0') {
                    i++;
                } else if (s.charAt(i) == '_' && i + 1 < s.length() && s.charAt(i + 1) == '0') {
                    i += 2;
                } else {
                    break;
                }
            }
            value = 0;
            end = i;
        } else {
            int i = digits(pos);
            value = parseLong(s.substring(pos, i).replace("_", ""), 10, start);
            end = i;
        }
        tokens.add(new Token(Kind.INTEGER, value, start));
        pos = end;
        return true;
    }

    private long parseLong(String digits, int radix, int at) {
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new SyntaxError("integer literal " + digits + " is out of the 64-bit range", at);
        }
    }

    /** Digits with single '_' separators between them; returns the end. */
    private int digits(int i) {
        while (i < s.length()) {
            char d = s.charAt(i);
            if (isDigit(d)) {
                i++;
            } else if (d == '_' && i + 1 < s.length() && isDigit(s.charAt(i + 1)) && i > 0
                    && isDigit(s.charAt(i - 1))) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private boolean name() {
        int cp = s.codePointAt(pos);
        if (!(cp == '_' || Character.isUnicodeIdentifierPart(cp)) || Character.isIdentifierIgnorable(cp)) {
            return false;
        }
        int start = pos;
        int i = pos;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (c == '_' || (Character.isUnicodeIdentifierPart(c) && !Character.isIdentifierIgnorable(c))) {
                i += Character.charCount(c);
            } else {
                break;
            }
        }
        if (!(cp == '_' || Character.isUnicodeIdentifierStart(cp))) {
            throw new SyntaxError("invalid character in identifier", start);
        }
        tokens.add(new Token(Kind.NAME, s.substring(start, i), start));
        pos = i;
        return true;
    }

    /** A string literal, unescaped as Python's "unicode-escape" codec does; false when it is unterminated. */
    private boolean string(char quote) {
        int start = pos;
        int i = pos + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == quote) {
                String body = s.substring(start + 1, i);
                tokens.add(new Token(Kind.STRING, unescape(body, start), start));
                pos = i + 1;
                return true;
            }
            i++;
        }
        return false;
    }

    private static String unescape(String body, int at) {
        if (body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); ) {
            char c = body.charAt(i);
            if (c != '\\') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= body.length()) {
                throw new SyntaxError("string literal ends with a lone backslash", at);
            }
            int next = body.codePointAt(i + 1);
            i += 1 + Character.charCount(next);
            switch (next) {
                case '\n':
                    break;
                case '\\':
                    out.append('\\');
                    break;
                case '\'':
                    out.append('\'');
                    break;
                case '"':
                    out.append('"');
                    break;
                case 'a':
                    out.append('\u0007');
                    break;
                case 'b':
                    out.append('\b');
                    break;
                case 'f':
                    out.append('\f');
                    break;
                case 'n':
                    out.append('\n');
                    break;
                case 'r':
                    out.append('\r');
                    break;
                case 't':
                    out.append('\t');
                    break;
                case 'v':
                    out.append('\u000B');
                    break;
                case 'x':
                case 'u':
                case 'U': {
                    int width = next == 'x' ? 2 : next == 'u' ? 4 : 8;
                    if (i + width > body.length()) {
                        throw new SyntaxError("truncated \\" + (char) next + " escape in string literal", at);
                    }
                    String hex = body.substring(i, i + width);
                    int value;
                    try {
                        value = hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)
                                ? (int) Long.parseLong(hex, 16) : -1;
                    } catch (NumberFormatException e) {
                        value = -1;
                    }
                    if (value < 0) {
                        throw new SyntaxError("truncated \\" + (char) next + " escape in string literal", at);
                    }
                    if (value > 0x10FFFF) {
                        throw new SyntaxError("illegal Unicode character in string literal", at);
                    }
                    out.appendCodePoint(value);
                    i += width;
                    break;
                }
                case 'N':
                    throw new SyntaxError("\\N{...} escapes are not supported in chat templates", at);
                default:
                    if (next >= '0' && next <= '7') {
                        int value = next - '0';
                        int digits = 1;
                        while (digits < 3 && i < body.length() && body.charAt(i) >= '0' && body.charAt(i) <= '7') {
                            value = value * 8 + (body.charAt(i) - '0');
                            i++;
                            digits++;
                        }
                        out.appendCodePoint(value);
                    } else if (next > 0x7F) {
                        // Jinja encodes non-ASCII as backslash escapes before decoding: "\é" reads as "\xe9"
                        out.append('\\').append(next <= 0xFF ? String.format(Locale.ROOT, "x%02x", next)
                                : next <= 0xFFFF ? String.format(Locale.ROOT, "u%04x", next)
                                : String.format(Locale.ROOT, "U%08x", next));
                    } else {
                        out.append('\\').appendCodePoint(next);
                    }
            }
        }
        return out.toString();
    }

    private void operator(Deque<Character> balance) {
        for (String op : OPERATORS) {
            if (s.startsWith(op, pos)) {
                char c = op.charAt(0);
                if (op.length() == 1 && (c == '(' || c == '[' || c == '{')) {
                    balance.push(c == '(' ? ')' : c == '[' ? ']' : '}');
                } else if (op.length() == 1 && (c == ')' || c == ']' || c == '}')) {
                    if (balance.isEmpty()) {
                        throw new SyntaxError("unexpected '" + c + "'", pos);
                    }
                    char expected = balance.pop();
                    if (expected != c) {
                        throw new SyntaxError("unexpected '" + c + "', expected '" + expected + "'", pos);
                    }
                }
                tokens.add(new Token(Kind.OPERATOR, op, pos));
                pos += op.length();
                return;
            }
        }
        throw new SyntaxError("unexpected character " + PyOps.reprString(new String(Character.toChars(
                s.codePointAt(pos)))), pos);
    }
}
