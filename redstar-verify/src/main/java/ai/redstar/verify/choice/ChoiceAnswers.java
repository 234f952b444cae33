package ai.redstar.verify.choice;

import ai.redstar.verify.choice.ChoiceExtractor.Extraction;
import ai.redstar.verify.choice.ChoiceExtractor.Kind;
import ai.redstar.verify.choice.ChoiceExtractor.Mode;
import ai.redstar.verify.choice.ChoiceResult.Reason;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Grades multiple-choice responses: extracts the chosen letter(s) and compares them with the gold letter(s).
 *
 * <pre>{@code
 * ChoiceAnswers answers = ChoiceAnswers.standard();
 * answers.grade("... so the answer is (B).", "B").correct();                                 // true
 * answers.grade("\\boxed{45^\\circ}", "C", ChoiceOptions.parse("A:30° B:40° C:45° D:60°")).correct(); // true
 * }</pre>
 *
 * <h2>What counts as the answer (precedence)</h2>
 * <ol>
 *   <li>With {@link Builder#ignoreThinking(boolean) ignoreThinking} (the default) only the text after the last
 *       {@code </think>} is read; a response with {@code <think>} and no {@code </think>} has no answer.</li>
 *   <li>Markup that hides a letter is removed first: {@code **bold**}, {@code $}, {@code \(}/{@code \)},
 *       {@code \text{}}, {@code \textbf{}}, {@code \mathrm{}} and similar wrappers, {@code \left}/{@code \right},
 *       full-width letters and parentheses.</li>
 *   <li>The <b>last {@code \boxed{...}}</b> (also {@code \fbox}) decides when there is one: its content must be
 *       a choice (or, with options, an option's text); when it is something else, the response has no choice
 *       and nothing earlier is consulted. Text after the box (an explanation mentioning "option A is correct
 *       when...") does not override it.</li>
 *   <li>Otherwise <b>answer phrases</b>, tried from the <em>last</em> in the response backwards: "the answer is",
 *       "answer:", "answers are", "the correct option is", "the best choice is", "final answer:", "I choose",
 *       "I'll go with", "答案是", "故选", read from the text right after the phrase (skipping fillers such as
 *       "option", "indeed", "clearly"), and "option B is correct" / "B is the answer". The last one that yields
 *       letters decides; one that does not ("the answer is not obvious") is skipped.</li>
 *   <li>Otherwise the <b>last non-empty line</b>, when it is nothing but a choice ({@code "B"}, {@code "(B)"},
 *       {@code "B."}) or a terminated letter followed by option text ({@code "B) 45°"}, {@code "(B) 45°"}).</li>
 *   <li>When {@link ChoiceOptions} are supplied, an explicit answer or last line that is not a letter is compared
 *       with the option texts: exactly one option must be equal after normalisation (case, white space,
 *       {@code $}, {@code \dfrac}→{@code \frac}, {@code ^\circ}/{@code ^{\circ}}/{@code º}→{@code °},
 *       {@code \%}, a trailing period); if none matches, the same is tried with degree signs removed from both
 *       sides ({@code 60} vs {@code 60°}). Text that fits several options is {@link Reason#AMBIGUOUS}.</li>
 * </ol>
 *
 * <h2>How letters are read</h2>
 * A choice is {@code B}, {@code (B)}, {@code B)}, {@code B.}, {@code B:}, or several joined by {@code ,},
 * {@code and}, {@code &} ({@code "A, C"}, {@code "A and C"}), or a run of distinct capitals
 * ({@code "AC"}, only letters up to the last option, or up to {@code J} when no options are supplied).
 * Multi-select answers compare as sets: {@code "AC"}, {@code "CA"} and {@code "A, C"} are equal. Letters joined by
 * {@code or} or {@code /} ("A or B", "A/B") are not a confident answer: {@link Reason#AMBIGUOUS}, graded wrong. After an answer
 * phrase, a letter must be a capital, or a lowercase letter in parentheses ({@code (b)}); inside a box or as the
 * gold, a lone lowercase letter is accepted. A bare {@code A} or {@code I} followed by a lowercase word is read
 * as the article or pronoun ("A triangle has...", "I think"), except before words like "is", "because",
 * "since". Words glued to a letter ({@code "Ahmed"}, {@code "A's"}, {@code "e.g."}) never count.
 *
 * <p>Known limits: "the answer is B, C is wrong" reads as {@code BC}; a negation far from the letter ("the answer
 * is not obviously B") is not understood, though "is not" stops the reading of that phrase.
 *
 * <p>Immutable and thread-safe.
 */
public final class ChoiceAnswers {

    private final boolean ignoreThinking;

    private ChoiceAnswers(Builder b) {
        this.ignoreThinking = b.ignoreThinking;
    }

    /** A grader with the defaults (thinking ignored). */
    public static ChoiceAnswers standard() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this grader's settings; each may be set once more. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.ignoreThinking = ignoreThinking;
        return b;
    }

    /** Whether text inside {@code <think>...</think>} is ignored. */
    public boolean ignoreThinking() {
        return ignoreThinking;
    }

    /**
     * Grades a response against gold letters when the options are not known.
     *
     * @param gold the gold letter(s): {@code "B"}, {@code "(B)"}, {@code "AC"}, {@code "A, C"}
     * @throws IllegalArgumentException when {@code gold} is not a choice letter or letters
     */
    public ChoiceResult grade(String response, String gold) {
        return grade(response, gold, null);
    }

    /**
     * Grades a response against gold letter(s) with the question's options, which allows answers given as an
     * option's text and rejects letters beyond the last option.
     *
     * @param gold the gold letter(s), or the exact text of one option
     * @param options the question's options, or null when unknown
     * @throws IllegalArgumentException when {@code gold} is neither letters (within the options) nor an option's text
     */
    public ChoiceResult grade(String response, String gold, ChoiceOptions options) {
        Objects.requireNonNull(response, "response");
        long start = System.nanoTime();
        BitSet goldLetters = goldLetters(gold, options);
        Extraction e = ChoiceExtractor.extract(response, options, ignoreThinking);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        String goldString = ChoiceExtractor.letterString(goldLetters);
        return switch (e.kind()) {
            case LETTERS -> {
                boolean ok = e.letters().equals(goldLetters);
                yield new ChoiceResult(ok, e.letterString(), ok ? Reason.MATCHED : Reason.MISMATCHED,
                        e.detail() + (ok ? " equal" : " differ from") + " the gold " + goldString, elapsed);
            }
            case AMBIGUOUS -> new ChoiceResult(false, "", Reason.AMBIGUOUS, e.detail(), elapsed);
            case NOT_AN_OPTION -> new ChoiceResult(false, "", Reason.NOT_AN_OPTION, e.detail(), elapsed);
            case NONE -> new ChoiceResult(false, "", Reason.NO_ANSWER, e.detail(), elapsed);
        };
    }

    /**
     * Parses gold letters: {@code "B"}, {@code "(b)"}, {@code "AC"}, {@code "A, C"}, {@code "['A', 'C']"}, or, with
     * options, the exact text of one option.
     *
     * @return the letters, sorted and without separators ({@code "AC"})
     * @throws IllegalArgumentException when {@code gold} is none of these
     */
    public static String parseGold(String gold, ChoiceOptions options) {
        return ChoiceExtractor.letterString(goldLetters(gold, options));
    }

    private static BitSet goldLetters(String gold, ChoiceOptions options) {
        Objects.requireNonNull(gold, "gold");
        String cleaned = ChoiceExtractor.normalise(gold).replace("[", " ").replace("]", " ").replace("'", " ")
                .replace("\"", " ").strip();
        var parsed = ChoiceExtractor.parseLetters(cleaned, Mode.WHOLE, options);
        if (parsed.kind() == Kind.LETTERS) {
            BitSet letters = parsed.letters();
            if (options != null && letters.length() > options.size()) {
                throw new IllegalArgumentException("gold answer '" + gold + "' names "
                        + ChoiceExtractor.letterString(letters) + " but the options are A to "
                        + options.lastLetter());
            }
            return letters;
        }
        if (options != null) {
            String g = ChoiceExtractor.normaliseOptionText(gold);
            Set<Integer> hits = new HashSet<>();
            for (int i = 0; i < options.size(); i++) {
                if (!g.isEmpty() && ChoiceExtractor.normaliseOptionText(options.texts().get(i)).equals(g)) {
                    hits.add(i);
                }
            }
            if (hits.size() == 1) {
                BitSet b = new BitSet();
                b.set(hits.iterator().next());
                return b;
            }
        }
        throw new IllegalArgumentException("gold answer '" + gold + "' is not a choice: expected letters such as"
                + " 'B', '(B)', 'AC' or 'A, C'" + (options == null ? "" : ", or the text of exactly one option"));
    }

    /**
     * Builds a {@link ChoiceAnswers}. Each property may be set once.
     */
    public static final class Builder {
        private boolean ignoreThinking = true;
        private final Set<String> set = new HashSet<>();

        private Builder() {}

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException("ChoiceAnswers." + name + " was already set");
            }
        }

        /**
         * Whether text inside {@code <think>...</think>} is ignored (default true): only the text after the last
         * {@code </think>} is read, and a response whose {@code <think>} is never closed has no answer.
         */
        public Builder ignoreThinking(boolean ignore) {
            once("ignoreThinking");
            this.ignoreThinking = ignore;
            return this;
        }

        /** The grader. */
        public ChoiceAnswers build() {
            return new ChoiceAnswers(this);
        }
    }
}
