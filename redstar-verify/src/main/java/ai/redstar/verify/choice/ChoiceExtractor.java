package ai.redstar.verify.choice;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the chosen letters in a response. The precedence is documented on {@link ChoiceAnswers}; every scan here
 * is linear in the response length (no backtracking-prone pattern), so arbitrary text cannot hang it.
 */
final class ChoiceExtractor {

    /** What an extraction found. */
    enum Kind { LETTERS, AMBIGUOUS, NOT_AN_OPTION, NONE }

    /** The outcome: {@code letters} is set for {@link Kind#LETTERS} (bit 0 = A), empty otherwise. */
    record Extraction(Kind kind, BitSet letters, String detail) {
        static Extraction none(String detail) {
            return new Extraction(Kind.NONE, new BitSet(), detail);
        }

        String letterString() {
            return ChoiceExtractor.letterString(letters);
        }
    }

    /** How much of a string a choice must fill. */
    enum Mode {
        /** Only the choice, wrapping punctuation and white space (a boxed answer, a gold answer). */
        WHOLE,
        /** A line: like WHOLE, but option text may follow one terminated letter ("B) 45°", "(B) 45°"). */
        LINE,
        /** The start of a text after an answer cue; whatever follows the choice is ignored. */
        PREFIX
    }

    /** Letters beyond this need supplied options before they are read as a run ("AC"), to keep words out. */
    private static final char LAST_RUN_LETTER_WITHOUT_OPTIONS = 'J';
    /** Only the last few explicit answers are tried, which bounds the work on a long response. */
    private static final int MAX_CANDIDATES = 32;
    private static final int CUE_WINDOW = 240;

    private static final Pattern LATEX_WRAPPER = Pattern.compile(
            "\\\\(?:text|textbf|textrm|textit|texttt|textsf|mathrm|mathbf|mathit|mathsf|mathtt|mbox|emph|bf|rm"
                    + "|operatorname|underline)\\s*\\{([^{}]*)}");
    private static final Pattern BOXED = Pattern.compile("\\\\(?:boxed|fbox)\\s*\\{");
    private static final Pattern CUE = Pattern.compile(
            "(?:(?:final|correct|right|best|true)\\s+(?:answer|option|choice)s?|answers?)"
                    + "[ \\t]*(?:is|are|would\\s+be|should\\s+be|will\\s+be|must\\s+be|=|:|：|-)"
                    + "|\\bi\\s+(?:would\\s+|will\\s+|)(?:choose|pick|select|go\\s+with)\\b"
                    + "|\\bi'll\\s+(?:choose|pick|select|go\\s+with)\\b"
                    + "|答案\\s*(?:是|为|為|:|：)?|故选|应选|選",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    private static final Pattern LETTER_IS_CORRECT = Pattern.compile(
            "(?:(?i:option|choice|answer)\\s+)?[(]?([A-Z])[)]?\\s+(?i:is)\\s+(?i:the\\s+)?"
                    + "(?i:correct|right|best)(?:\\s+(?i:answer|option|choice))?(?![\\p{L}])"
                    + "|(?<![\\p{L}\\p{N}])[(]?([A-Z])[)]?\\s+(?i:is)\\s+(?i:the\\s+)?(?i:correct\\s+|right\\s+|final\\s+)?"
                    + "(?i:answer)(?![\\p{L}])");
    /** "... A or B." closing a line: two letters offered as alternatives. */
    private static final Pattern LINE_ENDS_WITH_ALTERNATIVES = Pattern.compile(
            "(?<![\\p{L}\\p{N}])[(]?([A-Z])[)]?\\s+(?:or|或)\\s+[(]?([A-Z])[)]?[\\s.!?。]*$");
    private static final Set<String> FILLERS = Set.of("option", "options", "choice", "choices", "letter", "indeed",
            "clearly", "therefore", "thus", "definitely", "probably", "likely", "both", "then", "so", "the", "still",
            "actually", "most", "possibly", "perhaps", "maybe", "either");
    private static final Set<String> JOINERS = Set.of("and", "or", "plus", "&", "/", "+", "和", "与", "及", "或");
    private static final Set<String> JOINER_FILLERS = Set.of("possibly", "maybe", "perhaps", "also", "even",
            "option", "choice");
    /** Words that may follow a bare "A"/"I" without making it an article or pronoun. */
    private static final Set<String> AFTER_BARE_LETTER = Set.of("is", "because", "since", "as", "which", "and",
            "or", "with", "for", "was", "would", "should", "seems", "fits", "matches", "holds", "only");

    private ChoiceExtractor() {}

    /**
     * Extracts the choice from a response.
     *
     * @param options the supplied options, or null when unknown
     */
    static Extraction extract(String response, ChoiceOptions options, boolean ignoreThinking) {
        String text = response;
        if (ignoreThinking) {
            int close = text.lastIndexOf("</think>");
            if (close >= 0) {
                text = text.substring(close + "</think>".length());
            } else if (text.contains("<think>")) {
                return Extraction.none("the response is unfinished thinking: <think> is never closed");
            }
        }
        text = normalise(text);

        List<Candidate> candidates = explicitCandidates(text);
        int tried = 0;
        for (int c = candidates.size() - 1; c >= 0 && tried < MAX_CANDIDATES; c--, tried++) {
            Candidate cand = candidates.get(c);
            Parse p = parseLetters(cand.content, cand.boxed ? Mode.WHOLE : Mode.PREFIX, options);
            String where = (cand.boxed ? "\\boxed{}" : "answer phrase '" + cand.cue + "'") + " at offset "
                    + cand.position;
            if (p.kind != Kind.NONE) {
                return finish(p, options, where);
            }
            if (options != null) {
                String answerText = cand.boxed ? cand.content : firstSentence(cand.content);
                Extraction byText = matchText(answerText, options, where);
                if (byText.kind() != Kind.NONE) {
                    return byText;
                }
            }
            if (cand.boxed && !cand.content.isBlank()) {
                String shown = ChoiceOptions.abbreviate(cand.content.strip());
                return options == null
                        ? Extraction.none("the final \\boxed{} answer " + shown + " is not a choice letter")
                        : new Extraction(Kind.NOT_AN_OPTION, new BitSet(),
                                "the final \\boxed{} answer " + shown + " is neither a letter A to "
                                        + options.lastLetter() + " nor the text of exactly one option");
            }
        }

        String line = lastNonEmptyLine(text);
        if (!line.isEmpty()) {
            Parse p = parseLetters(line, Mode.LINE, options);
            if (p.kind != Kind.NONE) {
                return finish(p, options, "the last line");
            }
            Matcher alt = LINE_ENDS_WITH_ALTERNATIVES.matcher(line);
            if (alt.find() && !alt.group(1).equals(alt.group(2))) {
                return new Extraction(Kind.AMBIGUOUS, new BitSet(), "the last line ends with alternatives "
                        + alt.group(1) + " or " + alt.group(2) + ", not one choice");
            }
            if (options != null) {
                Extraction byText = matchText(line, options, "the last line");
                if (byText.kind() != Kind.NONE) {
                    return byText;
                }
            }
        }
        return Extraction.none("no \\boxed{} choice, no answer phrase ('the answer is B', 'Answer: B') with a"
                + " letter, and the last line is not a choice");
    }

    private static Extraction finish(Parse p, ChoiceOptions options, String where) {
        if (p.kind == Kind.AMBIGUOUS) {
            return new Extraction(Kind.AMBIGUOUS, new BitSet(),
                    "the answer in " + where + " names alternatives " + letterString(p.letters)
                            + " ('A or B'), not one choice");
        }
        if (options != null && p.letters.length() > options.size()) {
            return new Extraction(Kind.NOT_AN_OPTION, new BitSet(), "the answer in " + where + " is "
                    + letterString(p.letters) + " but the options are A to " + options.lastLetter());
        }
        return new Extraction(Kind.LETTERS, p.letters, "letter(s) " + letterString(p.letters) + " in " + where);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Candidates

    private record Candidate(int position, String content, boolean boxed, String cue) {}

    private static List<Candidate> explicitCandidates(String text) {
        List<Candidate> out = new ArrayList<>();
        Matcher b = BOXED.matcher(text);
        while (b.find()) {
            int open = b.end() - 1;
            int close = matchingBrace(text, open);
            String content = close < 0 ? text.substring(open + 1, Math.min(text.length(), open + 1 + CUE_WINDOW))
                    : text.substring(open + 1, close);
            out.add(new Candidate(b.start(), content, close >= 0, null));
            if (close < 0) {
                // an unclosed box reads like an answer phrase: take what follows, stop at the first non-choice
                out.set(out.size() - 1, new Candidate(b.start(), content, false, "\\boxed{"));
            }
        }
        Matcher m = CUE.matcher(text);
        while (m.find()) {
            out.add(new Candidate(m.start(), text.substring(m.end(), Math.min(text.length(), m.end() + CUE_WINDOW)),
                    false, m.group().strip()));
        }
        Matcher l = LETTER_IS_CORRECT.matcher(text);
        while (l.find()) {
            String letter = l.group(1) != null ? l.group(1) : l.group(2);
            out.add(new Candidate(l.start(), letter, false, l.group().strip()));
        }
        // tried from the end: the last closed box first, then answer phrases from the last one backwards
        out.sort(Comparator.comparing(Candidate::boxed).thenComparingInt(Candidate::position));
        return out;
    }

    /** Index of the brace closing the one at {@code open}, or -1; nested braces count, escaped ones do not. */
    static int matchingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                i++;
                continue;
            }
            if (ch == '{') {
                depth++;
            } else if (ch == '}') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static String lastNonEmptyLine(String text) {
        int end = text.length();
        while (end > 0) {
            int start = text.lastIndexOf('\n', end - 1) + 1;
            String line = text.substring(start, end).strip();
            if (!line.isEmpty()) {
                return line;
            }
            end = start - 1;
        }
        return "";
    }

    private static String firstSentence(String s) {
        int nl = s.indexOf('\n');
        String t = nl >= 0 ? s.substring(0, nl) : s;
        int stop = t.indexOf(". ");
        if (stop >= 0) {
            t = t.substring(0, stop);
        }
        return t;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Normalisation

    /** Removes markup that hides a letter: bold stars, math dollars, \text{}-like wrappers, \left/\right. */
    static String normalise(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch >= '\uFF21' && ch <= '\uFF3A') { // full-width A-Z
                ch = (char) ('A' + (ch - '\uFF21'));
            } else if (ch == '（') {
                ch = '(';
            } else if (ch == '）') {
                ch = ')';
            } else if (ch == '\r') {
                continue;
            }
            sb.append(ch);
        }
        String s = sb.toString().replace("**", "").replace("$", "").replace("\\left", "").replace("\\right", "")
                .replace("\\(", " ").replace("\\)", " ").replace("\\[", " ").replace("\\]", " ");
        for (int round = 0; round < 4; round++) {
            String next = LATEX_WRAPPER.matcher(s).replaceAll(mr -> Matcher.quoteReplacement(mr.group(1)));
            if (next.equals(s)) {
                break;
            }
            s = next;
        }
        return s;
    }

    /** The form in which an answer text and an option text must be equal: see {@link ChoiceAnswers}. */
    static String normaliseOptionText(String text) {
        String s = normalise(text).toLowerCase(Locale.ROOT)
                .replace("\\displaystyle", "").replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
                .replace("^{\\circ}", "°").replace("^\\circ", "°").replace("\\circ", "°").replace("\\degree", "°")
                .replace("º", "°").replace("˚", "°").replace("\\%", "%").replace('−', '-')
                .replace("\\,", "").replace("\\;", "").replace("\\!", "").replace("\\ ", "").replace("~", "");
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!Character.isWhitespace(ch)) {
                sb.append(ch);
            }
        }
        int end = sb.length();
        while (end > 0 && ".,;。，；".indexOf(sb.charAt(end - 1)) >= 0) {
            end--;
        }
        return sb.substring(0, end);
    }

    private static Extraction matchText(String answer, ChoiceOptions options, String where) {
        String a = normaliseOptionText(answer);
        if (a.isEmpty()) {
            return Extraction.none("empty");
        }
        for (boolean withoutDegrees : new boolean[] {false, true}) {
            String target = withoutDegrees ? a.replace("°", "") : a;
            BitSet hits = new BitSet();
            for (int i = 0; i < options.size(); i++) {
                String o = normaliseOptionText(options.texts().get(i));
                if (withoutDegrees) {
                    o = o.replace("°", "");
                }
                if (!target.isEmpty() && o.equals(target)) {
                    hits.set(i);
                }
            }
            if (hits.cardinality() == 1) {
                return new Extraction(Kind.LETTERS, hits, "the text " + ChoiceOptions.abbreviate(answer.strip())
                        + " in " + where + " is option " + letterString(hits));
            }
            if (hits.cardinality() > 1) {
                return new Extraction(Kind.AMBIGUOUS, new BitSet(), "the text "
                        + ChoiceOptions.abbreviate(answer.strip()) + " in " + where + " fits options "
                        + letterString(hits));
            }
        }
        return Extraction.none("no option has the text " + ChoiceOptions.abbreviate(answer.strip()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Letter scanning

    record Parse(Kind kind, BitSet letters) {}

    private static final Parse NO_PARSE = new Parse(Kind.NONE, new BitSet());

    private record Item(BitSet letters, int end, boolean terminated) {}

    /**
     * Reads choice letters at the start of {@code s}: items {@code B}, {@code (B)}, {@code B)}, {@code B.},
     * {@code B:} or a run {@code AC}, joined by {@code ,} {@code and} {@code &} {@code /} (and white space in WHOLE
     * mode). Letters joined by {@code or} make the answer {@link Kind#AMBIGUOUS}.
     */
    static Parse parseLetters(String s, Mode mode, ChoiceOptions options) {
        int i = skipOpeners(s, 0);
        if (mode == Mode.PREFIX) {
            i = skipFillers(s, i);
        }
        BitSet letters = new BitSet();
        boolean ambiguous = false;
        boolean orBefore = false;
        int items = 0;
        boolean lastTerminated = false;
        int end = i;
        while (true) {
            Item item = parseItem(s, i, mode, options);
            if (item == null) {
                break; // a dangling joiner is not part of the choice: 'end' stays after the last item
            }
            if (orBefore && !item.letters.equals(letters)) {
                ambiguous = true;
            }
            letters.or(item.letters);
            items++;
            lastTerminated = item.terminated;
            end = item.end;
            int j = skipSpaces(s, end);
            boolean joined = false;
            orBefore = false;
            if (j < s.length() && ",，、".indexOf(s.charAt(j)) >= 0) {
                j = skipSpaces(s, j + 1);
                joined = true;
            }
            String word = wordAt(s, j);
            if (JOINERS.contains(word.toLowerCase(Locale.ROOT))) {
                orBefore = word.equalsIgnoreCase("or") || word.equals("或") || word.equals("/");
                j = skipSpaces(s, j + word.length());
                joined = true;
                String filler = wordAt(s, j);
                if (JOINER_FILLERS.contains(filler.toLowerCase(Locale.ROOT))) {
                    j = skipSpaces(s, j + filler.length());
                }
            }
            if (!joined && (mode != Mode.WHOLE || j == end)) {
                break; // only a whole answer may separate letters by white space alone ("A C")
            }
            i = j;
        }
        if (items == 0) {
            return NO_PARSE;
        }
        if (mode != Mode.PREFIX) {
            int rest = skipClosers(s, end);
            boolean onlyClosers = rest >= s.length();
            boolean optionTextAllowed = mode == Mode.LINE && items == 1 && lastTerminated;
            if (!onlyClosers && !optionTextAllowed) {
                return NO_PARSE;
            }
        }
        if (ambiguous) {
            return new Parse(Kind.AMBIGUOUS, letters);
        }
        return new Parse(Kind.LETTERS, letters);
    }

    /** One item at {@code i}, or null. */
    private static Item parseItem(String s, int i, Mode mode, ChoiceOptions options) {
        int n = s.length();
        if (i >= n) {
            return null;
        }
        char c = s.charAt(i);
        // (B) or (b)
        if (c == '(' && i + 2 < n && s.charAt(i + 2) == ')' && isLetter(s.charAt(i + 1), true)) {
            return single(Character.toUpperCase(s.charAt(i + 1)), i + 3, true);
        }
        boolean lowerAllowed = mode == Mode.WHOLE;
        if (!isLetter(c, lowerAllowed)) {
            return null;
        }
        if (i > 0 && isWordChar(s.charAt(i - 1))) {
            return null;
        }
        // a run of capitals: "AC"
        int runEnd = i;
        while (runEnd < n && isLetter(s.charAt(runEnd), false)) {
            runEnd++;
        }
        if (runEnd - i >= 2) {
            if (runEnd < n && isWordChar(s.charAt(runEnd))) {
                return null;
            }
            char last = options == null ? LAST_RUN_LETTER_WITHOUT_OPTIONS : options.lastLetter();
            BitSet run = new BitSet();
            for (int k = i; k < runEnd; k++) {
                char ch = s.charAt(k);
                if (ch > last || run.get(ch - 'A')) {
                    return null;
                }
                run.set(ch - 'A');
            }
            boolean terminated = runEnd < n && ".):".indexOf(s.charAt(runEnd)) >= 0;
            return new Item(run, terminated ? runEnd + 1 : runEnd, terminated);
        }
        char letter = Character.toUpperCase(c);
        int after = i + 1;
        if (after >= n) {
            return single(letter, after, false);
        }
        char next = s.charAt(after);
        if (next == ')' || next == ':' || next == '：') {
            return single(letter, after + 1, true);
        }
        if (next == '.') {
            if (after + 1 < n && Character.isDigit(s.charAt(after + 1))) {
                return null; // "A.5"
            }
            if (after + 1 < n && isLetter(s.charAt(after + 1), true)) {
                return null; // "e.g", "U.S"
            }
            return single(letter, after + 1, true);
        }
        if (isWordChar(next) || next == '\'' || next == '’' || next == '-' || next == '_' || next == '{'
                || next == '^') {
            return null; // part of a word, a contraction, a formula
        }
        if (mode != Mode.WHOLE && (letter == 'A' || letter == 'I') && Character.isWhitespace(next)) {
            String following = wordAt(s, skipSpaces(s, after));
            if (!following.isEmpty() && Character.isLowerCase(following.charAt(0))
                    && !AFTER_BARE_LETTER.contains(following)) {
                return null; // the article "A triangle", the pronoun "I think"
            }
        }
        if (c != letter && mode != Mode.WHOLE) {
            return null;
        }
        return single(letter, after, false);
    }

    private static Item single(char letter, int end, boolean terminated) {
        BitSet b = new BitSet();
        b.set(letter - 'A');
        return new Item(b, end, terminated);
    }

    private static boolean isLetter(char c, boolean lowerAllowed) {
        return (c >= 'A' && c <= 'Z') || (lowerAllowed && c >= 'a' && c <= 'z');
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c);
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipOpeners(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || "\"'“‘[{*:：-—`>".indexOf(c) >= 0) {
                i++;
            } else if (s.startsWith("\\boxed{", i)) {
                i += "\\boxed{".length();
            } else if (s.startsWith("\\fbox{", i)) {
                i += "\\fbox{".length();
            } else {
                break;
            }
        }
        return i;
    }

    private static int skipClosers(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || "\"'”’]}*.。!！?？)`".indexOf(c) >= 0) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static int skipFillers(String s, int i) {
        for (int round = 0; round < 4; round++) {
            String w = wordAt(s, i);
            if (!FILLERS.contains(w.toLowerCase(Locale.ROOT))) {
                break;
            }
            i = skipOpeners(s, i + w.length());
        }
        return i;
    }

    /** The word (letters, or one symbol of &amp; / +, or one CJK character) starting at {@code i}, or "". */
    private static String wordAt(String s, int i) {
        if (i >= s.length()) {
            return "";
        }
        char c = s.charAt(i);
        if (c == '&' || c == '/' || c == '+') {
            return String.valueOf(c);
        }
        if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
            return String.valueOf(c);
        }
        int j = i;
        while (j < s.length() && Character.isLetter(s.charAt(j))
                && Character.UnicodeScript.of(s.charAt(j)) != Character.UnicodeScript.HAN) {
            j++;
        }
        return s.substring(i, j);
    }

    static String letterString(BitSet letters) {
        StringBuilder sb = new StringBuilder();
        for (int i = letters.nextSetBit(0); i >= 0; i = letters.nextSetBit(i + 1)) {
            sb.append((char) ('A' + i));
        }
        return sb.toString();
    }
}
