package ai.redstar.data.difficulty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.data.filter.TokenCounter;
import ai.redstar.data.problem.Problem;
import ai.redstar.data.sample.FinishReason;
import ai.redstar.data.sample.Sample;
import ai.redstar.data.sample.TraceSampler;
import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DifficultyScorerTest {
    private static final RuleVerifier VERIFIER = RuleVerifier.builder().build();

    private static Problem problem(String id, String level) {
        return new Problem(1, id, "q", Gold.math("4"), "4", "MATH", Optional.ofNullable(level), new JsonObject());
    }

    /** A teacher whose sample i is right when i < rightCount, and has 100 * (i + 1) tokens. */
    private static TraceSampler teacher(int rightCount, AtomicInteger calls) {
        return TraceSampler.custom("t", (messages, n, seed) -> {
            calls.incrementAndGet();
            List<Sample> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(new Sample(Optional.empty(), "so \\boxed{" + (i < rightCount ? 4 : 5) + "}",
                        FinishReason.STOP, "stop", OptionalInt.of(100 * (i + 1))));
            }
            return out;
        });
    }

    @Test
    void declaredLevel_readsMathLevelsRatingsAndNames() {
        DifficultyScorer math = DifficultyScorer.builder(DifficultyStrategy.declaredLevel(LevelScale.math())).build();
        assertEquals(1.0, math.score(problem("a", "Level 5")).orElseThrow().value());
        assertEquals(4, math.score(problem("a", "Level 5")).orElseThrow().bucket());
        assertEquals(0.5, math.score(problem("a", "Level 3")).orElseThrow().value());
        assertEquals(2, math.score(problem("a", "Level 3")).orElseThrow().bucket());
        assertTrue(math.score(problem("a", "Level ?")).isEmpty());
        assertTrue(math.score(problem("a", "Level 6")).isEmpty(), "out of range is not clamped");
        assertTrue(math.score(problem("a", null)).isEmpty());
        assertEquals(2.0 / 3, LevelScale.ratings().read("7").getAsDouble(), 1e-12);
        assertEquals(0.5, LevelScale.taco().read(" MEDIUM_HARD ").getAsDouble());
        assertTrue(LevelScale.taco().read("unknown").isEmpty());

        JsonObject extra = new JsonObject();
        extra.addProperty("rating", 10);
        Problem rated = new Problem(1, "r", "q", Gold.math("1"), "1", "s", Optional.empty(), extra);
        assertEquals(1.0, DifficultyScorer.builder(DifficultyStrategy.declaredLevel(LevelScale.ratings(), "rating"))
                .build().score(rated).orElseThrow().value());
    }

    @Test
    void passRate_isOneMinusTheShareVerifiedRight() {
        AtomicInteger calls = new AtomicInteger();
        DifficultyScorer scorer = DifficultyScorer.builder(
                DifficultyStrategy.passRate(teacher(1, calls), 4, VERIFIER)).build();
        Difficulty d = scorer.score(problem("p", null)).orElseThrow();
        assertEquals(0.75, d.value());
        assertEquals(Map.of("pass_rate", 0.75), d.components());
        assertEquals(3, d.bucket());
    }

    @Test
    void traceLength_mapsMeanTokensAndSharesSamplesWithPassRate() {
        AtomicInteger calls = new AtomicInteger();
        TraceSampler t = teacher(2, calls);
        // samples have 100, 200, 300, 400 tokens: mean of 4 is 250 -> (250 - 100) / (400 - 100) = 0.5
        Map<DifficultyStrategy, Double> parts = new LinkedHashMap<>();
        parts.put(DifficultyStrategy.passRate(t, 2, VERIFIER), 1.0);
        parts.put(DifficultyStrategy.traceLength(t, 4, TokenCounter.approximate(), 100, 400), 3.0);
        DifficultyScorer scorer = DifficultyScorer.builder(DifficultyStrategy.weighted(parts)).buckets(10).build();
        Difficulty d = scorer.score(problem("p", null)).orElseThrow();
        assertEquals(0.0, d.components().get("pass_rate"), "both of the first two samples are right");
        assertEquals(0.5, d.components().get("trace_length"));
        assertEquals((1 * 0.0 + 3 * 0.5) / 4, d.value(), 1e-12);
        assertEquals(1, calls.get(), "one sampling call serves both strategies");
        assertEquals(3, d.bucket());
    }

    @Test
    void weighted_leavesOutWhatCannotScoreAndRenormalises() {
        AtomicInteger calls = new AtomicInteger();
        DifficultyScorer scorer = DifficultyScorer.builder(DifficultyStrategy.weighted(Map.of(
                DifficultyStrategy.declaredLevel(LevelScale.math()), 1.0,
                DifficultyStrategy.passRate(teacher(0, calls), 2, VERIFIER), 1.0))).build();
        assertEquals(1.0, scorer.score(problem("p", null)).orElseThrow().value(), "only the pass rate (all wrong)");
        assertEquals(0.5, scorer.score(problem("p", "Level 1")).orElseThrow().value(), "(0 + 1) / 2");
    }

    @Test
    void selection_thresholdKeepsTheRange() {
        DifficultyScorer scorer = DifficultyScorer.builder(DifficultyStrategy.declaredLevel(LevelScale.math())).build();
        List<ScoredProblem> scored = new ArrayList<>();
        for (int level = 1; level <= 5; level++) {
            Problem p = problem("p" + level, "Level " + level);
            scored.add(new ScoredProblem(p, scorer.score(p).orElseThrow()));
        }
        List<String> hard = scorer.select(scored, new Selection.Threshold(0.5, 1)).stream()
                .map(s -> s.problem().id()).toList();
        assertEquals(List.of("p3", "p4", "p5"), hard);
        assertEquals(5, scorer.select(scored, new Selection.All()).size());
    }

    @Test
    void selection_targetMixFillsQuotasSeededAndOrderIndependent() {
        List<ScoredProblem> scored = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int bucket = i % 3; // 100 per bucket
            Problem p = problem("id" + i, null);
            scored.add(new ScoredProblem(p, new Difficulty(bucket / 3.0, bucket, Map.of())));
        }
        Selection.TargetMix mix = new Selection.TargetMix(Map.of(0, 0.1, 1, 0.3, 2, 0.6), 50, 7);
        assertEquals(Map.of(0, 5, 1, 15, 2, 30), mix.quotas());
        List<ScoredProblem> chosen = MixSelector.select(mix, scored);
        Map<Integer, Long> perBucket = chosen.stream()
                .collect(Collectors.groupingBy(s -> s.difficulty().bucket(), Collectors.counting()));
        assertEquals(Map.of(0, 5L, 1, 15L, 2, 30L), perBucket);
        List<ScoredProblem> shuffled = new ArrayList<>(scored);
        Collections.shuffle(shuffled, new Random(3));
        assertEquals(ids(chosen).stream().sorted().toList(), ids(MixSelector.select(mix, shuffled)).stream().sorted()
                .toList(), "the same problems whatever the input order");
        List<ScoredProblem> otherSeed = MixSelector.select(new Selection.TargetMix(mix.shares(), 50, 8), scored);
        assertTrue(!ids(otherSeed).equals(ids(chosen)), "another seed draws others");

        MixSelector short1 = new MixSelector(new Selection.TargetMix(Map.of(0, 0.5, 1, 0.5), 300, 1));
        for (int i = 0; i < scored.size(); i++) {
            short1.offer(i, "id" + i, scored.get(i).difficulty().bucket());
        }
        assertEquals(Map.of(0, 50, 1, 50), short1.shortfall());
        assertEquals(200, short1.selected().cardinality());
    }

    @Test
    void targetMix_largestRemaindersAndValidation() {
        assertEquals(Map.of(0, 1, 1, 1, 2, 1), new Selection.TargetMix(Map.of(0, 1 / 3.0, 1, 1 / 3.0, 2, 1 / 3.0), 3, 0)
                .quotas());
        Map<Integer, Double> bad = new HashMap<>();
        bad.put(0, 0.5);
        bad.put(1, 0.4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Selection.TargetMix(bad, 10, 0));
        assertTrue(e.getMessage().contains("sum to"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Selection.Threshold(0.8, 0.2));
    }

    private static List<String> ids(List<ScoredProblem> s) {
        return s.stream().map(p -> p.problem().id()).toList();
    }
}
