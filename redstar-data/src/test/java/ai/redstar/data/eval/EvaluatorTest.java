package ai.redstar.data.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import ai.redstar.data.problem.Problem;
import ai.redstar.data.problem.ProblemFormat;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {
    private static final RuleVerifier VERIFIER = RuleVerifier.builder().parallelism(1).build();

    @TempDir
    Path dir;

    private static Problem problem(int index, String answer, String level) {
        return new Problem(index, "p" + index, "What is " + answer + "?", Gold.math(answer), answer, "test",
                Optional.ofNullable(level), new JsonObject());
    }

    /** Four samples per problem: the first {@code correct} boxed right, the rest boxed as {@code wrong}. */
    private static List<String> scripted(Problem p, int correct, String wrong) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            out.add(i < correct ? "so \\boxed{" + p.answer() + "}" : "so \\boxed{" + wrong + "}");
        }
        return out;
    }

    @Test
    void evaluate_scriptedSamples_computesAccuracyPassAndMajorityByLevel() {
        // Level 1: p1 has 3 of 4 right (majority right), p2 has 0 of 4 right.
        // Level 2: p3 has 1 of 4 right, the three wrong ones agree (majority wrong).
        List<Problem> problems = List.of(problem(1, "12", "Level 1"), problem(2, "7", "Level 1"),
                problem(3, "40", "Level 2"));
        Map<String, Integer> correct = Map.of("p1", 3, "p2", 0, "p3", 1);
        Evaluator evaluator = Evaluator.builder((p, pass, n, seed) -> {
            assertEquals(Evaluator.Pass.SAMPLED, pass);
            assertEquals(4, n);
            return scripted(p, correct.get(p.id()), "99");
        }, VERIFIER).samples(4).progress(Progress.Mode.OFF).build();

        EvalReport report = evaluator.evaluate(problems);

        assertFalse(report.greedy());
        assertEquals(4, report.samples());
        EvalReport.Row level1 = report.level("Level 1").orElseThrow();
        assertEquals(2, level1.problems());
        assertEquals((3 / 4.0 + 0) / 2, level1.accuracy(), 1e-12);
        assertEquals(0.5, level1.passAtK().orElseThrow(), 1e-12); // with n = k, pass@k = any correct
        assertEquals(0.5, level1.majAtK().orElseThrow(), 1e-12);
        EvalReport.Row level2 = report.level("Level 2").orElseThrow();
        assertEquals(0.25, level2.accuracy(), 1e-12);
        assertEquals(1.0, level2.passAtK().orElseThrow(), 1e-12);
        assertEquals(0.0, level2.majAtK().orElseThrow(), 1e-12);
        EvalReport.Row all = report.overall();
        assertEquals(3, all.problems());
        assertEquals((0.75 + 0 + 0.25) / 3, all.accuracy(), 1e-12);
        assertEquals(2 / 3.0, all.passAtK().orElseThrow(), 1e-12);
        assertEquals(1 / 3.0, all.majAtK().orElseThrow(), 1e-12);
        assertTrue(report.meanResponseTokens().isEmpty(), "a responder reports no token counts");
        assertEquals(List.of("Level 1", "Level 2"), report.levels().stream().map(EvalReport.Row::level).toList());
        String table = report.toTable();
        assertTrue(table.contains("pass@4") && table.contains("maj@4"), table);
        assertTrue(table.contains("Level 2         1     0.250     1.000     0.000"), table);
        JsonObject json = JsonParser.parseString(report.toJson()).getAsJsonObject();
        assertEquals(2 / 3.0, json.getAsJsonObject("overall").get("pass_at_4").getAsDouble(), 1e-12);
        assertEquals(2, json.getAsJsonArray("levels").size());
    }

    @Test
    void evaluate_greedyPass_reportsGreedyAccuracyNextToPassAtK() {
        List<Problem> problems = List.of(problem(1, "3", "1"), problem(2, "5", "1"));
        AtomicInteger greedyCalls = new AtomicInteger();
        Evaluator evaluator = Evaluator.builder((p, pass, n, seed) -> {
            if (pass == Evaluator.Pass.GREEDY) {
                greedyCalls.incrementAndGet();
                assertEquals(1, n);
                return List.of(p.id().equals("p1") ? "\\boxed{3}" : "\\boxed{0}");
            }
            return Collections.nCopies(n, "\\boxed{0}");
        }, VERIFIER).samples(3).temperature(1.0).greedyPass().progress(Progress.Mode.OFF).build();

        EvalReport report = evaluator.evaluate(problems);

        assertEquals(2, greedyCalls.get());
        assertTrue(report.greedy());
        assertEquals(0.5, report.overall().accuracy(), 1e-12);
        assertEquals(0.0, report.overall().passAtK().orElseThrow(), 1e-12);
        assertTrue(report.toTable().startsWith("level  problems    greedy"), report.toTable());
    }

    @Test
    void evaluate_oneSampleAtDefaultTemperature_isOneGreedyPassWithoutPassAtK() {
        List<Problem> problems = List.of(problem(1, "1/2", null), problem(2, "4", null), problem(3, "9", null));
        Evaluator evaluator = Evaluator.builder((p, pass, n, seed) -> {
            assertEquals(Evaluator.Pass.GREEDY, pass);
            return List.of(p.id().equals("p3") ? "no idea" : "\\boxed{" + (p.id().equals("p1") ? "0.5" : "4") + "}");
        }, VERIFIER).progress(Progress.Mode.OFF).build();

        EvalReport report = evaluator.evaluate(problems);

        assertTrue(report.greedy());
        assertEquals(2 / 3.0, report.overall().accuracy(), 1e-12);
        assertTrue(report.overall().passAtK().isEmpty());
        assertEquals(List.of(EvalReport.NO_LEVEL), report.levels().stream().map(EvalReport.Row::level).toList());
    }

    @Test
    void evaluate_writesOneVerdictLinePerResponse() throws Exception {
        Path file = dir.resolve("out/verdicts.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "stale\n");
        Evaluator evaluator = Evaluator.builder((p, pass, n, seed) -> List.of("\\boxed{2}", "\\boxed{3}"), VERIFIER)
                .samples(2).progress(Progress.Mode.OFF).build();

        evaluator.evaluate(List.of(problem(1, "2", "easy")), file);

        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), "the old file is replaced");
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals("p1", first.get("id").getAsString());
        assertEquals("easy", first.get("level").getAsString());
        assertEquals("sampled", first.get("pass").getAsString());
        assertEquals(0, first.get("sample").getAsInt());
        assertEquals("2", first.get("extracted_answer").getAsString());
        assertTrue(first.get("correct").getAsBoolean());
        JsonObject second = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertEquals(1, second.get("sample").getAsInt());
        assertFalse(second.get("correct").getAsBoolean());
        assertEquals("DIFFERENT", second.get("reason").getAsString());
    }

    @Test
    void evaluate_problemsFile_readsThroughTheFormat() throws Exception {
        Path file = dir.resolve("problems.jsonl");
        Files.writeString(file, """
                {"id":"a","question":"1+1?","answer":"2","level":"Level 10"}
                {"id":"b","question":"2+2?","answer":"4","level":"Level 2"}
                """);
        Evaluator evaluator = Evaluator.builder((p, pass, n, seed) -> List.of("\\boxed{4}"), VERIFIER)
                .progress(Progress.Mode.OFF).build();

        EvalReport report = evaluator.evaluate(file, ProblemFormat.generic(), null);

        assertEquals(List.of("Level 2", "Level 10"), report.levels().stream().map(EvalReport.Row::level).toList());
        assertEquals(1.0, report.level("Level 2").orElseThrow().accuracy());
        assertEquals(0.0, report.level("Level 10").orElseThrow().accuracy());
    }

    @Test
    void evaluate_responderReturningTooFew_failsNamingTheProblem() {
        Evaluator evaluator = Evaluator.builder((p, pass, n, seed) -> List.of("x"), VERIFIER).samples(2)
                .progress(Progress.Mode.OFF).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> evaluator.evaluate(List.of(problem(1, "2", null))));
        assertTrue(e.getMessage().contains("p1") && e.getMessage().contains("2 were asked"), e.getMessage());
    }

    @Test
    void build_badSettings_listsEveryProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Evaluator.builder((p, pass, n, seed) -> List.of(), VERIFIER).samples(4).temperature(0)
                        .topP(0).maxNewTokens(0).batchRows(0).seed(1).seed(2).build());
        String m = e.getMessage();
        for (String word : List.of("temperature 0", "topP", "maxNewTokens", "batchRows", "seed was set twice")) {
            assertTrue(m.contains(word), word + " in " + m);
        }
    }

    @Test
    void compareLevels_ordersNumbersNaturallyAndNoLevelLast() {
        List<String> levels = new ArrayList<>(List.of(EvalReport.NO_LEVEL, "Level 10", "Level 2", "HARD", "EASY"));
        levels.sort(Evaluator::compareLevels);
        assertEquals(List.of("EASY", "HARD", "Level 2", "Level 10", EvalReport.NO_LEVEL), levels);
    }

    @Test
    void evaluate_tinyRandomModel_generatesGradesAndIsSeeded() throws Exception {
        StringBuilder alphabet = new StringBuilder("\n");
        for (char c = ' '; c <= '~'; c++) {
            alphabet.append(c);
        }
        Path folder = TokenizerFiles.writeCharLevel(dir.resolve("tiny"), alphabet.toString(),
                List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
        try (ChatTokenizer tokenizer = ChatTokenizer.load(folder)) {
            int eos = tokenizer.tokenToId("<|im_end|>").orElseThrow();
            ModelConfig config = ModelConfig.builder(ModelType.QWEN2).vocabSize(tokenizer.vocabularySize())
                    .hiddenSize(32).intermediateSize(64).numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2)
                    .tieWordEmbeddings(true).maxPositionEmbeddings(512).eosTokenIds(List.of(eos)).build();
            try (CausalLm model = CausalLm.randomInit(config, 5, Device.cpu())) {
                Evaluator evaluator = Evaluator.builder(model, tokenizer, VERIFIER).samples(2).temperature(1.0)
                        .maxNewTokens(6).batchRows(3).seed(7).greedyPass().promptTemplate(PromptTemplate.plain())
                        .progress(Progress.Mode.OFF).build();
                List<Problem> problems = List.of(problem(1, "2", "1"), problem(2, "3", "1"), problem(3, "4", "2"));
                Path first = dir.resolve("a.jsonl");
                Path second = dir.resolve("b.jsonl");

                EvalReport report = evaluator.evaluate(problems, first);
                evaluator.evaluate(problems, second);

                assertEquals(3, report.overall().problems());
                double tokens = report.meanResponseTokens().orElseThrow();
                assertTrue(tokens >= 1 && tokens <= 6, "mean tokens " + tokens);
                List<String> lines = Files.readAllLines(first);
                assertEquals(3 * (2 + 1), lines.size(), "two samples and one greedy response per problem");
                assertEquals(lines, Files.readAllLines(second), "the same seed gives the same responses");
                assertTrue(report.overall().passAtK().isPresent());
            }
        }
    }
}
