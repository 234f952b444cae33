package ai.redstar.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.data.problem.Problem;
import ai.redstar.data.sample.FinishReason;
import ai.redstar.data.sample.Sample;
import ai.redstar.data.sample.Trace;
import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.code.CodeTests;
import com.google.gson.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FiltersTest {
    private static final RuleVerifier VERIFIER = RuleVerifier.builder().build();
    private static final Problem MATH = Problem.math(1, "p1", "What is 2 + 3?", "5");
    private static final String GOOD = "<think>\nWe add 2 and 3 to get 5. Checking: 5 - 3 = 2, which is right.\n"
            + "</think>\n\nAdding the numbers gives $\\boxed{5}$.";

    private static Candidate candidate(Problem p, String text) {
        return Candidate.of(p, Trace.of(p.id(), 0, text), TokenCounter.approximate(), VERIFIER);
    }

    private static Candidate candidate(String text, FinishReason finish, String raw) {
        Trace t = new Trace("p1", 0, "t", new Sample(Optional.empty(), text, finish, raw, OptionalInt.empty()));
        return Candidate.of(MATH, t, TokenCounter.approximate(), VERIFIER);
    }

    private static String reason(TraceFilter f, Candidate c) {
        return f.check(c).map(Rejection::reason).orElse("kept");
    }

    /** Varied English reasoning: numbered steps with distinct numbers, so nothing repeats. */
    private static String longReasoning(int steps) {
        StringBuilder s = new StringBuilder("<think>\n");
        for (int i = 0; i < steps; i++) {
            s.append("Step ").append(i).append(": suppose x equals ").append(i * 7 + 3).append(", then 2x plus ")
                    .append(i).append(" gives ").append(2 * (i * 7 + 3) + i).append(" and we compare it with ")
                    .append(i * i).append(".\n");
            if (i % 5 == 4) {
                s.append('\n');
            }
        }
        return s.append("</think>\n\nSo the answer is $\\boxed{5}$.").toString();
    }

    @Test
    void candidate_splitsThinkingAndAnswer() {
        Candidate c = candidate(MATH, GOOD);
        assertEquals(ThinkState.CLOSED, c.thinkState());
        assertTrue(c.reasoning().startsWith("\nWe add"));
        assertEquals("\n\nAdding the numbers gives $\\boxed{5}$.", c.answer());
        Candidate promptOpened = candidate(MATH, "thinking here</think> answer \\boxed{5}");
        assertEquals("thinking here", promptOpened.reasoning());
        assertEquals(ThinkState.UNCLOSED, candidate(MATH, "<think> still going").thinkState());
        assertEquals(ThinkState.NONE, candidate(MATH, "just \\boxed{5}").thinkState());
    }

    @Test
    void truncation_dropsLengthCutUnclosedAndAbnormal_keepsStopped() {
        TruncationFilter f = TruncationFilter.standard();
        assertEquals("kept", reason(f, candidate(GOOD, FinishReason.STOP, "stop")));
        assertEquals("length", reason(f, candidate(GOOD, FinishReason.LENGTH, "length")));
        assertEquals("unclosed_think", reason(f, candidate("<think>\nlet me see", FinishReason.STOP, "stop")));
        assertEquals("abnormal_finish", reason(f, candidate(GOOD, FinishReason.OTHER, "content_filter")));
        assertEquals("kept", reason(TruncationFilter.allowingOtherFinishReasons(),
                candidate(GOOD, FinishReason.OTHER, "abort")));
    }

    @Test
    void format_requiresReasoningFinalAnswerAndBoxForMath() {
        FormatFilter f = FormatFilter.standard();
        assertEquals("kept", reason(f, candidate(MATH, GOOD)));
        assertEquals("no_reasoning", reason(f, candidate(MATH, "The answer is \\boxed{5}.")));
        assertEquals("no_reasoning", reason(f, candidate(MATH, "<think>  \n </think> \\boxed{5}")));
        assertEquals("no_final_answer", reason(f, candidate(MATH, "<think>2+3=5</think>\n\n  ")));
        assertEquals("no_boxed", reason(f, candidate(MATH, "<think>2+3=5 so \\boxed{5}</think>\nThe answer is 5.")));
        FormatFilter lenient = FormatFilter.builder().requireReasoning(false).boxed(FormatFilter.Boxed.NOT_REQUIRED)
                .build();
        assertEquals("kept", reason(lenient, candidate(MATH, "The answer is 5.")));

        Problem code = new Problem(2, "c", "Echo", Gold.code(CodeTests.fromInputOutputJson(
                "{\"inputs\":[\"1\"],\"outputs\":[\"1\"]}")), "", "taco", Optional.empty(), new JsonObject());
        assertEquals("no_code_block", reason(f, candidate(code, "<think>read and print</think>\nprint(input())")));
        assertEquals("kept", reason(f, candidate(code, "<think>read and print</think>\n```python\nprint(input())\n```")));
    }

    @Test
    void length_boundsTheTokenCount_preferringTheTracesOwn() {
        LengthFilter f = LengthFilter.between(5, 10);
        Trace counted = new Trace("p1", 0, "t", new Sample(Optional.empty(), "x", FinishReason.STOP, "stop",
                OptionalInt.of(7)));
        assertEquals("kept", reason(f, Candidate.of(MATH, counted, t -> 1000, VERIFIER)));
        assertEquals("too_short", reason(f, candidate(MATH, "abcd")));          // 1 token by estimate
        assertEquals("too_long", reason(f, candidate(MATH, "a".repeat(400))));  // 100 tokens
        assertThrows(IllegalArgumentException.class, () -> LengthFilter.between(10, 5));
    }

    @Test
    void repetition_keepsVariedReasoning() {
        RepetitionFilter f = RepetitionFilter.standard();
        String varied = longReasoning(300);
        assertEquals("kept", reason(f, candidate(MATH, varied)));
        RepetitionFilter.Scan s = f.scan(varied);
        assertTrue(s.ngrams() > 3000, "ngrams " + s.ngrams());
        assertTrue(s.repeatedShare() < 0.05, "share " + s.repeatedShare());
    }

    @Test
    void repetition_dropsARepeatedParagraph() {
        String paragraph = "Wait, maybe I should reconsider the whole approach from the beginning, because the sign of "
                + "the discriminant matters here.\nLet me recompute it carefully.\n\n";
        String looping = longReasoning(20).replace("</think>", paragraph.repeat(5) + "</think>");
        assertEquals("repeated_paragraph", reason(RepetitionFilter.standard(), candidate(MATH, looping)));
        String threeTimes = longReasoning(20).replace("</think>", paragraph.repeat(3) + "</think>");
        assertEquals("kept", reason(RepetitionFilter.standard(), candidate(MATH, threeTimes)));
    }

    @Test
    void repetition_dropsARepeatedLineAndAWordLoop() {
        String line = "So the value of the expression must be equal to seven.\n";
        String lines = longReasoning(20).replace("</think>", line.repeat(12) + "</think>");
        assertEquals("repeated_line", reason(RepetitionFilter.standard(), candidate(MATH, lines)));
        // the same sentence over and over on one line: no paragraph or line repeats, but a 13-word loop does
        String loop = longReasoning(20).replace("</think>",
                "and then we add one more to the total and check it again ".repeat(40) + "</think>");
        assertEquals("ngram_loop", reason(RepetitionFilter.standard(), candidate(MATH, loop)));
    }

    @Test
    void repetition_dropsAHighShareOfRepeatedSequences() {
        // a repeated block of 60 varied words, twice: every sequence of the second copy repeats
        StringBuilder block = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            block.append("w").append(i).append(' ');
        }
        String text = "<think>" + block + block + "</think> \\boxed{5}";
        RepetitionFilter f = RepetitionFilter.builder().maxNgramOccurrences(5).build();
        assertEquals("repeated_ngrams", reason(f, candidate(MATH, text)));
        assertEquals("kept", reason(f, candidate(MATH, "<think>" + block + "</think> \\boxed{5}")));
    }

    @Test
    void language_dropsChineseInsideEnglish_keepsGreekAndQuestionScripts() {
        LanguageMixFilter f = LanguageMixFilter.standard();
        String english = longReasoning(30);
        assertEquals("kept", reason(f, candidate(MATH, english.replace("Step 3", "Step 3 with angle θ and π"))));
        String mixed = english.replace("Step 10:", "Step 10: 我们需要重新计算这个表达式的值，然后检查结果。");
        Optional<Rejection> r = f.check(candidate(MATH, mixed));
        assertEquals("foreign_script", r.map(Rejection::reason).orElse("kept"));
        assertTrue(r.get().detail().contains("HAN"), r.get().detail());
        String russian = english.replace("Step 10:", "Шаг десять: пересчитаем выражение заново.");
        assertEquals("foreign_script", reason(f, candidate(MATH, russian)));
        assertEquals("kept", reason(f, candidate(MATH, english.replace("Step 10:", "Step 10 (即):"))),
                "two stray characters are below the minimum");
        Problem chineseQuestion = Problem.math(3, "z", "计算 2 + 3", "5");
        assertEquals("kept", reason(f, candidate(chineseQuestion, mixed)), "the question's script is allowed");
        assertEquals("foreign_script", reason(LanguageMixFilter.builder().allowQuestionScripts(false).build(),
                candidate(chineseQuestion, mixed)));
        assertEquals("kept", reason(LanguageMixFilter.builder()
                .allowedScripts(Set.of(Character.UnicodeScript.LATIN, Character.UnicodeScript.HAN,
                        Character.UnicodeScript.COMMON)).build(), candidate(MATH, mixed)));
    }

    @Test
    void verified_keepsRightAnswers_dropsWrongAndMissing() {
        VerifiedFilter f = VerifiedFilter.create();
        assertEquals("kept", reason(f, candidate(MATH, GOOD)));
        assertEquals("wrong", reason(f, candidate(MATH, "<think>hmm</think> \\boxed{6}")));
        assertEquals("no_answer", reason(f, candidate(MATH, "<think>hmm</think> no idea")));
    }

    @Test
    void chain_countsTheFirstRejectionPerTrace() {
        FilterChain chain = FilterChain.of(TruncationFilter.standard(), FormatFilter.standard(),
                VerifiedFilter.create());
        assertTrue(chain.check(candidate(MATH, GOOD)).isEmpty());
        assertEquals("length", chain.check(candidate("<think>x", FinishReason.LENGTH, "length")).get().reason());
        assertEquals("no_boxed", chain.check(candidate(MATH, "<think>x</think> 6")).get().reason());
        assertEquals("wrong", chain.check(candidate(MATH, "<think>x</think> \\boxed{6}")).get().reason());
        assertEquals(4, chain.checked());
        assertEquals(1, chain.kept());
        assertEquals(Map.of("length", 1L), chain.counts().get("truncated"));
        assertEquals(Map.of("no_boxed", 1L), chain.counts().get("format"));
        assertEquals(Map.of("wrong", 1L), chain.counts().get("verified"));
        assertThrows(IllegalArgumentException.class,
                () -> FilterChain.of(FormatFilter.standard(), FormatFilter.standard()));
    }

    @Test
    void candidate_verifiesOnce() {
        Candidate c = candidate(MATH, GOOD);
        assertFalse(c.isVerified());
        assertTrue(c.verdict().correct());
        assertTrue(c.isVerified());
        assertTrue(c.verdict() == c.verdict());
    }
}
