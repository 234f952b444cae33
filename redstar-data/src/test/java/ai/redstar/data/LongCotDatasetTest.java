package ai.redstar.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.progress.Progress;
import ai.redstar.data.dedup.Decontaminator;
import ai.redstar.data.dedup.MinHash;
import ai.redstar.data.dedup.Shingling;
import ai.redstar.data.difficulty.DifficultyScorer;
import ai.redstar.data.difficulty.DifficultyStrategy;
import ai.redstar.data.difficulty.LevelScale;
import ai.redstar.data.difficulty.Selection;
import ai.redstar.data.filter.LengthFilter;
import ai.redstar.data.filter.VerifiedFilter;
import ai.redstar.data.pairs.PairingPolicy;
import ai.redstar.data.problem.ProblemFormat;
import ai.redstar.data.sample.TraceSampler;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LongCotDatasetTest {
    private static final String FARMER = "A farmer has 12 cows and buys 30 more cows at the market on Monday morning "
            + "before noon. How many cows does the farmer have now? What is 12 + 30?";
    private static final String BENCH = "Every student in the class of thirty brought exactly four pencils and two "
            + "erasers to the mathematics exam on the first day of spring";

    @TempDir
    Path dir;

    /** Nine problems: duplicates, a near-duplicate, a contaminated one, levels 1 to 5 and one without a level. */
    private Path problems() throws IOException {
        List<String> lines = List.of(
                line("p1", "What is 2 + 3?", "5", "Level 1", "{\"topic\":\"arithmetic\"}"),
                line("p2", "What is 10 + 20?", "30", "Level 3", "{\"topic\":\"arithmetic\"}"),
                line("p3", "  what is 2 + 3? ", "5", "Level 5", "{}"),
                line("p4", "What is 7 + 8?", "15", "Level 5", "{\"messages\":\"an input field\",\"tags\":[1,2]}"),
                line("p5", BENCH + ". What is 4 + 2?", "6", "Level 4", "{}"),
                line("p6", FARMER, "42", "Level 4", "{}"),
                line("p7", FARMER.replace("Monday", "Tuesday"), "42", "Level 4", "{}"),
                line("p8", "What is 100 + 1?", "101", "Level ?", "{}"),
                line("p9", "What is 40 + 2?", "42", "Level 2", "{}"));
        Path f = dir.resolve("problems.jsonl");
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    private static String line(String id, String question, String answer, String level, String extra) {
        JsonObject o = JsonParser.parseString(extra).getAsJsonObject();
        o.addProperty("id", id);
        o.addProperty("question", question);
        o.addProperty("answer", answer);
        o.addProperty("level", level);
        return o.toString();
    }

    private LongCotDataset.Builder dataset(Path problems, TraceSampler teacher) {
        return dataset(problems, teacher, 2);
    }

    private LongCotDataset.Builder dataset(Path problems, TraceSampler teacher, int parallelism) {
        return LongCotDataset.builder(problems, ProblemFormat.generic(), teacher)
                .samplesPerProblem(5)
                .difficulty(DifficultyScorer.builder(DifficultyStrategy.declaredLevel(LevelScale.math())).build())
                .selection(new Selection.Threshold(0.5, 1.0))
                .nearDuplicates(MinHash.builder().bands(32).rows(4).shingling(Shingling.words(3)).seed(1).build())
                .decontaminate(Decontaminator.builder().benchmark("bench", Map.of("bench-17", BENCH)).build())
                .pairing(new PairingPolicy.AllPairs(10))
                .keepRejected(true)
                .parallelism(parallelism)
                .progress(Progress.Mode.OFF);
    }

    private static List<JsonObject> read(Path file) throws IOException {
        List<JsonObject> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!l.isBlank()) {
                out.add(JsonParser.parseString(l).getAsJsonObject());
            }
        }
        return out;
    }

    @Test
    void run_writesSftPairsAndReportFromScreenedSelectedProblems() throws IOException {
        Path out = dir.resolve("out");
        DatasetReport report = dataset(problems(), TraceSampler.custom("scripted", new ScriptedTeacher())).build()
                .run(out);

        // screening: p3 duplicates p1, p7 nearly duplicates p6, p5 overlaps the benchmark, p8 has no level
        Map<String, String> status = new java.util.HashMap<>();
        for (JsonObject e : read(out.resolve(LongCotDataset.SCREENING))) {
            status.put(e.get("id").getAsString(), e.get("status").getAsString());
        }
        assertEquals(Map.of("p1", "kept", "p2", "kept", "p3", "exact_duplicate", "p4", "kept", "p5", "contaminated",
                "p6", "kept", "p7", "near_duplicate", "p8", "unscored", "p9", "kept"), status);
        // selected: difficulty >= 0.5, i.e. levels 3 to 5 among kept: p2 (0.5), p4 (1.0), p6 (0.75)
        assertEquals(9, report.problemsRead());
        assertEquals(3, report.problemsSelected());
        assertEquals(3, report.problemsDone());
        assertTrue(report.complete());

        List<JsonObject> sft = read(out.resolve(LongCotDataset.SFT));
        assertEquals(3 * 2, sft.size(), "samples 0 and 3 of each problem are kept");
        Set<String> keys = new HashSet<>();
        for (JsonObject r : sft) {
            JsonObject p = r.getAsJsonObject("provenance");
            keys.add(p.get("problem_id").getAsString() + "#" + p.get("sample_index").getAsInt());
            assertEquals("correct", p.getAsJsonObject("verdict").get("status").getAsString());
            assertEquals("scripted", p.get("teacher").getAsString());
            var messages = r.getAsJsonArray("messages");
            assertEquals("user", messages.get(0).getAsJsonObject().get("role").getAsString());
            assertEquals("assistant", messages.get(1).getAsJsonObject().get("role").getAsString());
            assertTrue(messages.get(1).getAsJsonObject().get("content").getAsString().startsWith("<think>"));
        }
        assertEquals(Set.of("p2#0", "p2#3", "p4#0", "p4#3", "p6#0", "p6#3"), keys);
        JsonObject p4 = sft.stream().filter(r -> r.getAsJsonObject("provenance").get("problem_id").getAsString()
                .equals("p4")).findFirst().orElseThrow();
        assertEquals("an input field", p4.getAsJsonObject("input_fields").get("messages").getAsString(),
                "an input field named like an output field is kept under input_fields");
        assertEquals(2, p4.getAsJsonArray("tags").size(), "unknown fields are carried through");
        assertEquals(1.0, p4.getAsJsonObject("provenance").get("difficulty").getAsDouble());
        assertEquals("Level 5", p4.getAsJsonObject("provenance").get("level").getAsString());

        List<JsonObject> pairs = read(out.resolve(LongCotDataset.PAIRS));
        assertEquals(3 * 2, pairs.size(), "two right traces against the one wrong, per problem");
        for (JsonObject pair : pairs) {
            assertEquals(1, pair.getAsJsonObject("provenance").get("rejected_sample").getAsInt());
            assertEquals("wrong", pair.getAsJsonObject("provenance").getAsJsonObject("rejected_verdict")
                    .get("status").getAsString());
            assertEquals("user", pair.getAsJsonArray("prompt").get(0).getAsJsonObject().get("role").getAsString());
        }

        assertEquals(15, report.tracesSampled());
        assertEquals(6, report.tracesKept());
        assertEquals(Map.of("truncated/length", 3L, "repetition/repeated_paragraph", 3L, "verified/wrong", 3L),
                report.drops());
        assertEquals(9, read(out.resolve(LongCotDataset.REJECTED)).size());
        assertEquals(Map.of("exact_duplicate", 1L, "near_duplicate", 1L, "contaminated", 1L, "unscored", 1L),
                report.screened());
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve(LongCotDataset.REPORT)))
                .getAsJsonObject();
        assertEquals(report.toJson(), json);
        JsonObject contaminated = json.getAsJsonObject("contamination").getAsJsonArray("problems").get(0)
                .getAsJsonObject();
        assertEquals("p5", contaminated.get("id").getAsString());
        assertEquals("bench-17", contaminated.getAsJsonArray("overlaps").get(0).getAsJsonObject().get("id")
                .getAsString());
        JsonObject bucket4 = json.getAsJsonObject("difficulty").getAsJsonArray("buckets").get(4).getAsJsonObject();
        assertEquals(1, bucket4.get("done").getAsLong());
        assertEquals(0.6, bucket4.get("pass_rate").getAsDouble(), 1e-12, "3 of 5 samples are right");
        assertEquals(6, json.getAsJsonObject("lengths").get("count").getAsLong());
        String table = report.toTable();
        assertTrue(table.contains("dropped repetition/repeated_paragraph"), table);
        assertTrue(table.contains("[0.80, 1.00]"), table);
    }

    @Test
    void run_killedMidwayThenRerun_continuesWithoutDuplicatesOrLosses() throws IOException {
        Path problems = problems();
        Path straight = dir.resolve("straight");
        dataset(problems, TraceSampler.custom("scripted", new ScriptedTeacher())).build().run(straight);

        Path out = dir.resolve("resumed");
        AtomicInteger calls = new AtomicInteger();
        ScriptedTeacher script = new ScriptedTeacher();
        TraceSampler failing = TraceSampler.custom("scripted", (messages, n, seed) -> {
            if (calls.incrementAndGet() > 1) {
                throw new IllegalStateException("teacher died");
            }
            return script.sample(messages, n, seed);
        });
        LongCotDataset interrupted = dataset(problems, failing, 1).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> interrupted.run(out));
        assertEquals("teacher died", e.getMessage());
        assertEquals(1, read(out.resolve(LongCotDataset.JOURNAL)).size(), "one problem finished");
        // what a kill between writing records and journaling them leaves: a whole record and a torn line
        String stray = Files.readAllLines(out.resolve(LongCotDataset.SFT)).get(0);
        Files.writeString(out.resolve(LongCotDataset.SFT), stray + "\n{\"messages\":[{\"ro",
                StandardOpenOption.APPEND);

        DatasetReport report = dataset(problems, TraceSampler.custom("scripted", new ScriptedTeacher())).build()
                .run(out);
        assertTrue(report.complete());
        for (String file : List.of(LongCotDataset.SFT, LongCotDataset.PAIRS, LongCotDataset.REJECTED)) {
            List<String> a = Files.readAllLines(straight.resolve(file));
            List<String> b = Files.readAllLines(out.resolve(file));
            assertEquals(a, b, file + " after the interruption equals the uninterrupted run's");
        }
        assertEquals(3, read(out.resolve(LongCotDataset.JOURNAL)).size());
        assertEquals(report.toJson().getAsJsonObject("traces"), dataset(problems, TraceSampler.custom("scripted",
                new ScriptedTeacher())).build().run(straight).toJson().getAsJsonObject("traces"));

        // a finished run does nothing more
        AtomicInteger more = new AtomicInteger();
        dataset(problems, TraceSampler.custom("scripted", (m, n, s) -> {
            more.incrementAndGet();
            return new ScriptedTeacher().sample(m, n, s);
        })).build().run(out);
        assertEquals(0, more.get());
    }

    @Test
    void run_otherSettingsInTheSameDirectory_areRefused() throws IOException {
        Path problems = problems();
        Path out = dir.resolve("out");
        dataset(problems, TraceSampler.custom("scripted", new ScriptedTeacher())).build().run(out);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LongCotDataset.builder(problems, ProblemFormat.generic(),
                        TraceSampler.custom("scripted", new ScriptedTeacher())).samplesPerProblem(3)
                        .progress(Progress.Mode.OFF).build().run(out));
        assertTrue(e.getMessage().contains("samples_per_problem was 5, now 3"), e.getMessage());
    }

    @Test
    void run_samplerFailureSkip_countsAndRetriesNextRun() throws IOException {
        Path problems = problems();
        Path out = dir.resolve("out");
        TraceSampler flaky = TraceSampler.custom("scripted", (m, n, s) -> {
            if (m.get(0).content().contains("7 + 8")) {
                throw new ai.redstar.data.sample.SamplerException("HTTP 503 after 7 attempts", true);
            }
            return new ScriptedTeacher().sample(m, n, s);
        });
        DatasetReport first = dataset(problems, flaky).samplerFailure(SamplerFailure.SKIP_PROBLEM).build().run(out);
        assertEquals(2, first.problemsDone());
        assertFalse(first.complete());
        assertEquals(1, first.toJson().getAsJsonObject("problems").get("sampler_failures").getAsLong());
        DatasetReport second = dataset(problems, TraceSampler.custom("scripted", new ScriptedTeacher()))
                .samplerFailure(SamplerFailure.SKIP_PROBLEM).build().run(out);
        assertTrue(second.complete());
        assertEquals(6, second.tracesKept());
    }

    @Test
    void run_malformedProblemLine_isNamedWithFileLineAndField() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, line("a", "What is 1 + 1?", "2", "Level 3", "{}") + "\n{\"id\":\"b\",\"answer\":\"3\"}\n");
        LongCotDataset d = LongCotDataset.builder(f, ProblemFormat.generic(),
                TraceSampler.custom("scripted", new ScriptedTeacher())).progress(Progress.Mode.OFF).build();
        JsonlException e = assertThrows(JsonlException.class, () -> d.run(dir.resolve("o1")));
        assertTrue(e.getMessage().contains("bad.jsonl line 2: field 'question' is missing"), e.getMessage());

        DatasetReport skipped = LongCotDataset.builder(f, ProblemFormat.generic(),
                TraceSampler.custom("scripted", new ScriptedTeacher())).malformedLines(MalformedLinePolicy.SKIP)
                .progress(Progress.Mode.OFF).build().run(dir.resolve("o2"));
        assertEquals(1, skipped.problemsRead());
        assertEquals(1, skipped.toJson().getAsJsonObject("problems").get("malformed_skipped").getAsLong());
    }

    @Test
    void run_withATinyLocalModel_samplesJudgesAndReportsEveryTrace() throws IOException {
        Path problems = dir.resolve("tiny.jsonl");
        Files.writeString(problems, line("a", "What is 1 + 1?", "2", "Level 1", "{}") + "\n"
                + line("b", "What is 2 + 2?", "4", "Level 2", "{}") + "\n");
        try (var tokenizer = ai.redstar.core.tokenizer.ChatTokenizer.load(
                        ai.redstar.data.sample.TinyTeacher.writeTokenizer(dir.resolve("tiny-model")));
                var model = ai.redstar.data.sample.TinyTeacher.model(5)) {
            TraceSampler local = ai.redstar.data.sample.LocalSampler.builder(tokenizer, model,
                    ai.redstar.core.generate.SamplingParams.builder(8).temperature(1.0).build()).build();
            DatasetReport report = LongCotDataset.builder(problems, ProblemFormat.generic(), local)
                    .samplesPerProblem(3).tokenCounter(ai.redstar.data.filter.TokenCounter.of(tokenizer))
                    .keepRejected(true).progress(Progress.Mode.OFF).build().run(dir.resolve("tiny-out"));
            assertTrue(report.complete());
            assertEquals(6, report.tracesSampled());
            long dropped = report.drops().values().stream().mapToLong(Long::longValue).sum();
            assertEquals(6, report.tracesKept() + dropped, "every trace is kept or dropped with a reason");
            List<JsonObject> rejected = read(dir.resolve("tiny-out").resolve(LongCotDataset.REJECTED));
            assertEquals(dropped, rejected.size());
            for (JsonObject r : rejected) {
                assertTrue(r.get("text").getAsString().startsWith("<think>\n"), "the template's opened think tag");
                assertTrue(r.get("tokens").getAsInt() <= 8);
            }
        }
    }

    @Test
    void build_reportsEveryProblem() throws IOException {
        Path problems = problems();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LongCotDataset.builder(problems, ProblemFormat.generic(),
                        TraceSampler.custom("t", new ScriptedTeacher())).samplesPerProblem(0)
                        .selection(new Selection.Threshold(0.5, 1)).filters(VerifiedFilter.create(),
                                LengthFilter.between(1, 2), LengthFilter.between(1, 3)).seed(1).seed(2).build());
        String m = e.getMessage();
        for (String part : List.of("samplesPerProblem", "needs a difficulty scorer", "VerifiedFilter",
                "two filters are named 'length'", "seed was set twice")) {
            assertTrue(m.contains(part), part + " missing from: " + m);
        }
    }
}
