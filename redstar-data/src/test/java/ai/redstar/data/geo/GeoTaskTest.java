package ai.redstar.data.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Verdict;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeoTaskTest {
    private static final RuleVerifier VERIFIER = RuleVerifier.builder().parallelism(1).build();

    private static GeoTask only(GeoKind kind, int size, long seed) {
        return GeoTask.builder().kinds(kind).imageSize(size).seed(seed).build();
    }

    @Test
    void everyKind_renders_labelsInsideImageAndInkDrawn() {
        for (GeoKind kind : GeoKind.values()) {
            for (int size : new int[] {32, 64, 160}) {
                GeoTask task = only(kind, size, 11);
                for (GeoProblem p : task.problems(12)) {
                    GeoFigure.Rendering r = p.figure().render();
                    assertEquals(size, r.image().getWidth());
                    assertEquals(size, r.image().getHeight());
                    for (Rectangle b : r.labelBounds()) {
                        assertTrue(b.x >= 0 && b.y >= 0 && b.x + b.width <= size && b.y + b.height <= size,
                                kind + " " + p.id() + " size " + size + ": label " + b + " leaves the image");
                    }
                    double ink = inkShare(r.image());
                    assertTrue(ink > 0.01 && ink < 0.5, kind + " " + p.id() + ": ink share " + ink);
                }
            }
        }
    }

    @Test
    void numericKinds_labelTheirValues_levelOneKindsHaveNoNumbers() {
        for (GeoKind kind : GeoKind.values()) {
            GeoProblem p = only(kind, 96, 3).problem(0);
            List<String> labels = p.figure().marks().stream().filter(m -> m instanceof Mark.Label)
                    .map(m -> ((Mark.Label) m).text()).toList();
            boolean digits = labels.stream().anyMatch(t -> t.matches(".*\\d.*"));
            assertEquals(kind.level() > 1, digits, kind + " labels " + labels);
        }
    }

    @Test
    void sameSeed_byteIdenticalPng_otherSeedDiffers() {
        GeoTask a = GeoTask.builder().seed(42).imageSize(64).build();
        GeoTask b = GeoTask.builder().seed(42).imageSize(64).build();
        GeoTask c = GeoTask.builder().seed(43).imageSize(64).build();
        int differing = 0;
        for (int i = 0; i < 12; i++) {
            GeoProblem pa = a.problem(i);
            assertArrayEquals(pa.figure().png(), b.problem(i).figure().png(), "problem " + i);
            assertArrayEquals(pa.figure().png(), pa.figure().png(), "problem " + i + " drawn twice");
            assertEquals(pa, b.problem(i), "problem " + i + " fields and figure");
            if (!java.util.Arrays.equals(pa.figure().png(), c.problem(i).figure().png())) {
                differing++;
            }
        }
        assertTrue(differing >= 10, "only " + differing + " of 12 figures differ between seeds");
    }

    @Test
    void correctTraces_verify_inEveryStyle() {
        for (TraceStyle style : TraceStyle.values()) {
            GeoTask task = GeoTask.builder().seed(5).traceStyle(style).build();
            for (GeoProblem p : task.problems(300)) {
                Verdict v = p.grade(VERIFIER, p.trace());
                assertTrue(v.correct(), style + " " + p.id() + " " + p.kind() + ": " + v + "\n" + p.trace());
                assertTrue(p.traceCorrect());
                assertTrue(p.trace().endsWith("The answer is \\boxed{" + p.answer() + "}."), p.trace());
            }
        }
    }

    @Test
    void flawedTraces_reachAWrongLetter_andLeaveFiguresUnchanged() {
        GeoTask clean = GeoTask.builder().seed(8).build();
        GeoTask half = GeoTask.builder().seed(8).flawedTraceShare(0.5).build();
        GeoTask all = GeoTask.builder().seed(8).flawedTraceShare(1).build();
        int flawed = 0;
        for (int i = 0; i < 200; i++) {
            GeoProblem p = all.problem(i);
            assertFalse(p.traceCorrect());
            assertFalse(p.grade(VERIFIER, p.trace()).correct(), p.id() + "\n" + p.trace());
            assertTrue(p.trace().startsWith("<think>") && p.trace().contains("</think>"), p.trace());
            GeoProblem c = clean.problem(i);
            assertEquals(c.choices(), p.choices());
            assertEquals(c.answer(), p.answer());
            assertTrue(c.traceCorrect());
            GeoProblem h = half.problem(i);
            assertEquals(h.traceCorrect(), h.grade(VERIFIER, h.trace()).correct());
            flawed += h.traceCorrect() ? 0 : 1;
        }
        assertTrue(flawed > 70 && flawed < 130, "flawed " + flawed + " of 200 at share 0.5");
    }

    @Test
    void choices_fourDistinct_exactlyOneCorrect_answersPlausible() {
        GeoTask task = GeoTask.builder().seed(9).build();
        for (GeoProblem p : task.problems(600)) {
            assertEquals(4, p.choices().size(), p.id());
            assertEquals(4, new HashSet<>(p.choices()).size(), p.id() + " " + p.choices());
            assertEquals(1, p.choices().stream().filter(p.answerText()::equals).count());
            if (p.level() > 1) {
                boolean angle = p.answerText().endsWith("°");
                for (String c : p.choices()) {
                    assertEquals(angle, c.endsWith("°"), p.id() + ": " + p.choices() + " mix units");
                    int value = Integer.parseInt(c.replace("°", ""));
                    assertTrue(value > 0 && (!angle || value < 360), p.id() + ": implausible option " + c);
                }
            }
        }
    }

    @Test
    void levelOne_fixedChoiceOrder_higherLevels_shuffledAndLonger() {
        GeoTask task = GeoTask.builder().seed(13).build();
        Map<Integer, Integer> lines = new HashMap<>();
        Map<Integer, Integer> counts = new HashMap<>();
        Map<Integer, Set<String>> letters = new HashMap<>();
        for (GeoProblem p : task.problems(600)) {
            if (p.level() == 1) {
                assertEquals(p.kind().fixedChoices().orElseThrow(), p.choices());
            } else {
                assertTrue(p.kind().fixedChoices().isEmpty());
            }
            lines.merge(p.level(), (int) p.trace().lines().count(), Integer::sum);
            counts.merge(p.level(), 1, Integer::sum);
            letters.computeIfAbsent(p.level(), l -> new HashSet<>()).add(p.answer());
        }
        assertEquals(Map.of(1, 200, 2, 200, 3, 200), counts, "levels cycle evenly");
        double l1 = lines.get(1) / 200.0;
        double l2 = lines.get(2) / 200.0;
        double l3 = lines.get(3) / 200.0;
        assertTrue(l1 < l2 && l2 < l3, "trace lines by level: " + l1 + ", " + l2 + ", " + l3);
        letters.values().forEach(s -> assertEquals(Set.of("A", "B", "C", "D"), s));
    }

    @Test
    void questionText_alone_doesNotRevealTheAnswer() {
        for (GeoKind kind : GeoKind.values()) {
            GeoTask task = only(kind, 32, 21);
            Set<String> prompts = new HashSet<>();
            Map<String, Integer> answerCounts = new HashMap<>();
            for (GeoProblem p : task.problems(200)) {
                assertEquals(kind.question(), p.question());
                if (kind.level() == 1) {
                    prompts.add(p.prompt());
                }
                answerCounts.merge(p.answer(), 1, Integer::sum);
            }
            if (kind.level() == 1) {
                assertEquals(1, prompts.size(), kind + ": the whole prompt is the same for every figure");
            }
            int most = answerCounts.values().stream().max(Integer::compare).orElseThrow();
            assertTrue(answerCounts.size() == 4 && most < 200 * 0.45,
                    kind + ": answers " + answerCounts + " are predictable from the text");
        }
        // text-only guessers over the options of levels 2 and 3 (rank, supplement pair) stay near chance (25%)
        GeoTask task = GeoTask.builder().levels(2, 3).seed(23).build();
        int n = 1000;
        int[] right = new int[5];
        for (GeoProblem p : task.problems(n)) {
            List<Integer> v = new ArrayList<>();
            p.choices().forEach(c -> v.add(Integer.parseInt(c.replace("°", ""))));
            int answer = p.answer().charAt(0) - 'A';
            List<Integer> sorted = new ArrayList<>(v);
            sorted.sort(Integer::compare);
            right[0] += answer == v.indexOf(sorted.get(0)) ? 1 : 0;
            right[1] += answer == v.indexOf(sorted.get(3)) ? 1 : 0;
            right[2] += answer == v.indexOf(sorted.get(1)) ? 1 : 0;
            right[3] += answer == v.indexOf(sorted.get(2)) ? 1 : 0;
            int pair = -1; // an option whose supplement is also offered
            for (int i = 0; i < 4 && pair < 0; i++) {
                if (v.contains(180 - v.get(i))) {
                    pair = i;
                }
            }
            right[4] += answer == pair ? 1 : 0;
        }
        for (int r : right) {
            assertTrue(r < n * 0.35, "a text-only guesser gets " + r + " of " + n);
        }
    }

    @Test
    void builder_reportsEveryProblem_andRejectsSettingTwice() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GeoTask.builder()
                .imageSize(8).levels(0, 2).flawedTraceShare(1.5).kinds(GeoKind.ANGLE_TYPE).build());
        assertTrue(e.getMessage().contains("imageSize must be 16 to 2048"), e.getMessage());
        assertTrue(e.getMessage().contains("level 0 does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("flawedTraceShare must be 0 to 1, was 1.5"), e.getMessage());
        assertTrue(e.getMessage().contains("kind ANGLE_TYPE is of level 1"), e.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> GeoTask.builder().seed(1).seed(2).build());
        assertTrue(twice.getMessage().contains("seed was set twice"), twice.getMessage());
        GeoTask t = GeoTask.builder().kinds(GeoKind.PYTHAGORAS, GeoKind.ANGLE_TYPE).build();
        assertEquals(List.of(1, 2), t.levels());
        assertEquals(List.of(GeoKind.ANGLE_TYPE, GeoKind.PYTHAGORAS), t.kinds());
    }

    @Test
    void grade_wrongAndMissingAnswers_areNotCorrect() {
        GeoProblem p = GeoTask.builder().levels(2).seed(4).build().problem(0);
        char wrong = p.answer().equals("A") ? 'B' : 'A';
        assertFalse(p.grade(VERIFIER, "The answer is \\boxed{" + wrong + "}.").correct());
        assertFalse(p.grade(VERIFIER, "I am not sure.").correct());
        assertTrue(p.grade(VERIFIER, "The answer is (" + p.answer() + ").").correct());
        assertTrue(p.grade(VERIFIER, "The answer is " + p.answerText()).correct());
    }

    private static double inkShare(BufferedImage img) {
        int ink = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    ink++;
                }
            }
        }
        return ink / (double) (img.getWidth() * img.getHeight());
    }
}
