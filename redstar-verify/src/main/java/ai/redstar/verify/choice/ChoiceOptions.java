package ai.redstar.verify.choice;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of a multiple-choice question: option {@code A} is the first text, {@code B} the second, and so on
 * (at most 26). Supplying them lets {@link ChoiceAnswers} accept an answer given as the option's text instead of
 * its letter, and reject letters that name no option.
 *
 * <p>Made from a list ({@link #of(List)}) or parsed from the text that lists them ({@link #parse(String)}), in
 * the forms datasets use: GeoQA's {@code "A:30° B:45° C:60° D:75°"}, {@code "(A) 30 (B) 45"},
 * {@code "A. 30\nB. 45"}, {@code "A) 30; B) 45"}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ChoiceOptions {

    /** The most options a question may have: the letters A to Z. */
    public static final int MAX_OPTIONS = 26;

    // A marker is a letter at a word start, optionally in parentheses, followed by ':' '.' ')' or their
    // full-width forms; "(B)" needs no punctuation after it.
    private static final String MARKER_BEFORE = "(?<![\\p{L}\\p{N}_\\\\])";

    private final ImmutableList<String> texts;

    private ChoiceOptions(List<String> texts) {
        this.texts = ImmutableList.copyOf(texts);
    }

    /**
     * Options from their texts in order: the first is {@code A}.
     *
     * @throws IllegalArgumentException when there are fewer than 2 or more than 26 options, or one is null or blank
     */
    public static ChoiceOptions of(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        if (texts.size() < 2 || texts.size() > MAX_OPTIONS) {
            throw new IllegalArgumentException("a multiple-choice question needs 2 to " + MAX_OPTIONS
                    + " options, got " + texts.size() + ": " + texts);
        }
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("option " + letter(i) + " (index " + i + ") is "
                        + (t == null ? "null" : "blank") + "; every option needs a text");
            }
        }
        return new ChoiceOptions(texts);
    }

    /** Options from their texts in order, as {@link #of(List)}. */
    public static ChoiceOptions of(String... texts) {
        return of(List.of(texts));
    }

    /**
     * Parses options listed in text: markers {@code A}, {@code B}, {@code C}, ... in this order, each a letter at a
     * word start written {@code A:}, {@code A.}, {@code A)}, {@code (A)} (or full-width {@code A：}), each option
     * text running to the next marker. Separators at the end of a text ({@code ; ,}) and surrounding white space
     * are removed. Anything before marker {@code A} (a "Choices:" heading) is ignored.
     *
     * @throws IllegalArgumentException when fewer than two consecutive markers from {@code A} are found, or an
     *     option text is empty
     */
    public static ChoiceOptions parse(String text) {
        Objects.requireNonNull(text, "text");
        List<Integer> starts = new ArrayList<>(); // index of the marker
        List<Integer> ends = new ArrayList<>(); // index just after the marker
        int from = 0;
        for (int i = 0; i < MAX_OPTIONS; i++) {
            Matcher m = marker(letter(i)).matcher(text);
            if (!m.find(from)) {
                break;
            }
            starts.add(m.start());
            ends.add(m.end());
            from = m.end();
        }
        if (starts.size() < 2) {
            throw new IllegalArgumentException("cannot find options 'A:', 'B:', ... (or 'A.', '(A)', 'A)') in: "
                    + abbreviate(text));
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1) : text.length();
            String t = text.substring(ends.get(i), end).strip();
            while (!t.isEmpty() && ";,；，".indexOf(t.charAt(t.length() - 1)) >= 0) {
                t = t.substring(0, t.length() - 1).strip();
            }
            if (t.isEmpty()) {
                throw new IllegalArgumentException("option " + letter(i) + " has no text in: " + abbreviate(text));
            }
            texts.add(t);
        }
        return new ChoiceOptions(texts);
    }

    private static Pattern marker(char letter) {
        String l = String.valueOf(letter);
        return Pattern.compile("[(（]" + l + "[)）]\\s*[:：.．]?|" + MARKER_BEFORE + l + "\\s*[:：.．)）、]");
    }

    /** The number of options. */
    public int size() {
        return texts.size();
    }

    /** The last option's letter: {@code 'D'} for four options. */
    public char lastLetter() {
        return letter(texts.size() - 1);
    }

    /** Whether {@code letter} names an option. */
    public boolean contains(char letter) {
        return letter >= 'A' && letter <= lastLetter();
    }

    /**
     * The text of option {@code letter}.
     *
     * @throws IllegalArgumentException when no option has that letter
     */
    public String text(char letter) {
        if (!contains(letter)) {
            throw new IllegalArgumentException("no option '" + letter + "'; options are A to " + lastLetter());
        }
        return texts.get(letter - 'A');
    }

    /** The option texts in order, A first. */
    public List<String> texts() {
        return texts;
    }

    static char letter(int index) {
        return (char) ('A' + index);
    }

    static String abbreviate(String s) {
        return s.length() <= 120 ? "'" + s + "'" : "'" + s.substring(0, 117) + "...'";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChoiceOptions other && texts.equals(other.texts);
    }

    @Override
    public int hashCode() {
        return texts.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            sb.append(i == 0 ? "" : " ").append(letter(i)).append(':').append(texts.get(i));
        }
        return sb.toString();
    }
}
