package ai.redstar.data.filter;

import ai.redstar.verify.Gold;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks the shape of a long chain-of-thought response: a reasoning part, then a final answer. Reasons:
 * <ul>
 *   <li>{@code no_reasoning}: no {@code <think>} block (or {@code reasoning_content}) with at least
 *       {@link Builder#minReasoningChars} non-white-space characters;</li>
 *   <li>{@code no_final_answer}: nothing but white space after the thinking;</li>
 *   <li>{@code no_boxed}: no {@code \boxed{} } or {@code \fbox{}} in the final answer where {@link Boxed} requires one;</li>
 *   <li>{@code no_code_block}: a programming problem whose final answer holds no {@code ```} code block.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class FormatFilter implements TraceFilter {
    /** Why a trace was dropped. */
    public enum Reason { NO_REASONING, NO_FINAL_ANSWER, NO_BOXED, NO_CODE_BLOCK }

    /** Where a {@code \boxed{}} answer is required. */
    public enum Boxed {
        /** Never. */
        NOT_REQUIRED,
        /** In answers to problems with a math gold (the default). */
        FOR_MATH,
        /** In answers to math and multiple-choice problems. */
        FOR_MATH_AND_CHOICE
    }

    private final boolean requireReasoning;
    private final int minReasoningChars;
    private final boolean requireFinalAnswer;
    private final Boxed boxed;

    private FormatFilter(Builder b) {
        this.requireReasoning = b.requireReasoning == null || b.requireReasoning;
        this.minReasoningChars = b.minReasoningChars == null ? 1 : b.minReasoningChars;
        this.requireFinalAnswer = b.requireFinalAnswer == null || b.requireFinalAnswer;
        this.boxed = b.boxed == null ? Boxed.FOR_MATH : b.boxed;
    }

    /** Reasoning and a final answer required, {@code \boxed{}} for math. */
    public static FormatFilter standard() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "format";
    }

    @Override
    public Optional<Rejection> check(Candidate c) {
        String text = c.text();
        if (requireReasoning) {
            int chars = nonWhitespace(text, c.reasoningStart(), c.reasoningEnd(), minReasoningChars);
            if (chars < minReasoningChars) {
                return Optional.of(Rejection.of(name(), Reason.NO_REASONING, c.thinkState() == ThinkState.NONE
                        ? "no <think> block" : "reasoning has " + chars + " characters < " + minReasoningChars));
            }
        }
        int answerStart = c.answerStart();
        if (requireFinalAnswer && nonWhitespace(text, answerStart, text.length(), 1) == 0) {
            return Optional.of(Rejection.of(name(), Reason.NO_FINAL_ANSWER, c.thinkState() == ThinkState.UNCLOSED
                    ? "still thinking at the end" : "nothing after </think>"));
        }
        Gold gold = c.problem().gold();
        boolean needBox = boxed == Boxed.FOR_MATH && gold instanceof Gold.Math
                || boxed == Boxed.FOR_MATH_AND_CHOICE && (gold instanceof Gold.Math || gold instanceof Gold.Choice);
        if (needBox && text.indexOf("\\boxed{", answerStart) < 0 && text.indexOf("\\boxed ", answerStart) < 0
                && text.indexOf("\\fbox{", answerStart) < 0) {
            return Optional.of(Rejection.of(name(), Reason.NO_BOXED, "no \\boxed{} in the final answer"));
        }
        if (requireFinalAnswer && gold instanceof Gold.Code && text.indexOf("```", answerStart) < 0) {
            return Optional.of(Rejection.of(name(), Reason.NO_CODE_BLOCK, "no ``` code block in the final answer"));
        }
        return Optional.empty();
    }

    /** Non-white-space characters in [from, to), counting no further than {@code enough}. */
    private static int nonWhitespace(String text, int from, int to, int enough) {
        int n = 0;
        for (int i = from; i < to && n < enough; i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return "FormatFilter{requireReasoning=" + requireReasoning + ", minReasoningChars=" + minReasoningChars
                + ", requireFinalAnswer=" + requireFinalAnswer + ", boxed=" + boxed + "}";
    }

    /** Settings of a {@link FormatFilter}; each may be set once. */
    public static final class Builder {
        private Boolean requireReasoning;
        private Integer minReasoningChars;
        private Boolean requireFinalAnswer;
        private Boxed boxed;
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /** Whether a reasoning part is required (default true). */
        public Builder requireReasoning(boolean require) {
            once(this.requireReasoning, "requireReasoning");
            this.requireReasoning = require;
            return this;
        }

        /** Non-white-space characters the reasoning needs (default 1), at least 1. */
        public Builder minReasoningChars(int chars) {
            once(this.minReasoningChars, "minReasoningChars");
            this.minReasoningChars = chars;
            return this;
        }

        /** Whether a final answer after the thinking is required (default true). */
        public Builder requireFinalAnswer(boolean require) {
            once(this.requireFinalAnswer, "requireFinalAnswer");
            this.requireFinalAnswer = require;
            return this;
        }

        /** Where {@code \boxed{}} is required (default {@link Boxed#FOR_MATH}). */
        public Builder boxed(Boxed boxed) {
            once(this.boxed, "boxed");
            this.boxed = Objects.requireNonNull(boxed, "boxed");
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public FormatFilter build() {
            List<String> all = new ArrayList<>(problems);
            if (minReasoningChars != null && minReasoningChars < 1) {
                all.add("minReasoningChars must be >= 1, was " + minReasoningChars);
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid FormatFilter settings: " + String.join("; ", all));
            }
            return new FormatFilter(this);
        }
    }
}
