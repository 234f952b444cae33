package ai.redstar.examples.mini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.data.problem.Problem;
import ai.redstar.data.problem.ProblemFormat;
import ai.redstar.data.problem.ProblemReader;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.data.sample.Sample;
import ai.redstar.data.sample.SamplerException;
import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Verdict;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdditionTeacherTest {
    private static final RuleVerifier VERIFIER = RuleVerifier.builder().build();

    @Test
    void generate_sameSeed_sameProblems_uniqueQuestionsAndIds() {
        List<MiniProblem> a = AdditionTask.builder().seed(3).build().generate(50);
        List<MiniProblem> b = AdditionTask.builder().seed(3).build().generate(50);
        assertEquals(a, b);
        assertEquals(200, a.size());
        Set<String> ids = new HashSet<>();
        Set<String> questions = new HashSet<>();
        for (MiniProblem p : a) {
            assertTrue(ids.add(p.id()), p.id());
            assertTrue(questions.add(p.question()), p.question());
            assertEquals(AdditionTask.digits(p.level()), Long.toString(p.left()).length(), p.toString());
            assertEquals(AdditionTask.digits(p.level()), Long.toString(p.right()).length(), p.toString());
        }
        assertFalse(a.equals(AdditionTask.builder().seed(4).build().generate(50)));
    }

    @Test
    void writeJsonl_readByGenericFormat_goldAnswersVerify(@TempDir Path dir) {
        List<MiniProblem> problems = AdditionTask.builder().seed(1).levels(1, 3).build().generate(20);
        Path file = AdditionTask.writeJsonl(problems, dir.resolve("problems.jsonl"));
        try (ProblemReader reader = ProblemReader.open(file, ProblemFormat.generic(), MalformedLinePolicy.FAIL)) {
            int i = 0;
            while (reader.hasNext()) {
                Problem p = reader.next();
                MiniProblem m = problems.get(i++);
                assertEquals(m.id(), p.id());
                assertEquals(m.question(), p.question());
                assertEquals(MiniProblem.SOURCE, p.source());
                assertEquals("Level " + m.level(), p.level().orElseThrow());
                assertTrue(VERIFIER.verify("\\boxed{" + m.answer() + "}", p.gold()).correct(), m.toString());
            }
            assertEquals(problems.size(), i);
        }
    }

    @Test
    void traces_flawedOnesFailVerification_cleanOnesPass_shareNearConfigured() {
        AdditionTeacher teacher = AdditionTeacher.builder().flawRate(0.25).flawRateStep(0.1).build();
        List<MiniProblem> problems = AdditionTask.builder().seed(2).build().generate(150);
        int[] flawed = new int[5];
        int[] total = new int[5];
        for (MiniProblem p : problems) {
            for (int s = 0; s < 2; s++) {
                AdditionTeacher.TeacherTrace t = teacher.trace(p.left(), p.right(), 11, s);
                Verdict v = VERIFIER.verify(t.text(), p.toProblem(1).gold());
                assertEquals(!t.flawed(), v.correct(), t.text());
                assertTrue(t.text().startsWith("<think>\n") && t.text().contains("</think>\n"), t.text());
                total[p.level()]++;
                flawed[p.level()] += t.flawed() ? 1 : 0;
            }
        }
        for (int level = 1; level <= 4; level++) {
            double share = (double) flawed[level] / total[level];
            // 300 traces per level: 4 standard deviations of a binomial share are at most 0.12
            assertEquals(teacher.flawRate(level), share, 0.12, "level " + level);
        }
        assertEquals(0.55, teacher.flawRate(4), 1e-12);
    }

    @Test
    void sample_sameSeed_sameTraces_samplesOfOneProblemDiffer() {
        AdditionTeacher teacher = AdditionTeacher.standard();
        MiniProblem p = AdditionTask.builder().seed(5).levels(3, 3).build().generate(1).get(0);
        List<ChatMessage> messages = PromptTemplate.standard().messages(p.toProblem(1));
        List<Sample> a = teacher.sampler().sample(messages, 8, 42);
        assertEquals(a, teacher.sampler().sample(messages, 8, 42));
        assertFalse(a.equals(teacher.sampler().sample(messages, 8, 43)));
        Set<String> texts = new HashSet<>();
        a.forEach(s -> texts.add(s.text()));
        assertTrue(texts.size() >= 4, "only " + texts.size() + " distinct traces of 8: " + texts);
    }

    @Test
    void sample_questionWithoutSum_rejected() {
        SamplerException e = assertThrows(SamplerException.class, () -> AdditionTeacher.standard().sampler()
                .sample(List.of(ChatMessage.user("What is the capital of France?")), 1, 0));
        assertTrue(e.getMessage().contains("capital of France"), e.getMessage());
    }

    @Test
    void trace_carryIntoNewDigit_readsOffWithLeadingOne() {
        AdditionTeacher exact = AdditionTeacher.builder().flawRate(0).flawRateStep(0).build();
        for (int s = 0; s < 6; s++) {
            String text = exact.trace(95, 87, 0, s).text();
            assertTrue(text.contains("ones: 5+7=12, write 2, carry 1\ntens: 9+8+1=18, write 8, carry 1\n"), text);
            assertTrue(text.endsWith("\\boxed{182}") || text.endsWith("\\boxed{182}."), text);
        }
    }

    @Test
    void builders_invalidSettings_allNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdditionTeacher.builder().flawRate(1.5).flawRateStep(-1).build());
        assertTrue(e.getMessage().contains("flawRate must") && e.getMessage().contains("flawRateStep must"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdditionTask.builder().levels(3, 2).build());
        assertTrue(e.getMessage().contains("levels 3..2"), e.getMessage());
    }
}
