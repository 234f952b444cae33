package ai.redstar.data.dedup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DedupTest {
    @TempDir
    Path dir;

    /** {@code count} words drawn from a vocabulary of 5,000, seeded. */
    private static List<String> words(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> w = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            w.add("w" + r.nextInt(5000));
        }
        return w;
    }

    /** {@code words} with each word replaced by a fresh one with probability {@code p}. */
    private static List<String> edited(List<String> words, double p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (String w : words) {
            out.add(r.nextDouble() < p ? "x" + r.nextInt(1_000_000) : w);
        }
        return out;
    }

    private static double trueJaccard(List<String> a, List<String> b, int k) {
        Set<String> sa = shingles(a, k);
        Set<String> sb = shingles(b, k);
        Set<String> inter = new HashSet<>(sa);
        inter.retainAll(sb);
        Set<String> union = new HashSet<>(sa);
        union.addAll(sb);
        return (double) inter.size() / union.size();
    }

    private static Set<String> shingles(List<String> w, int k) {
        Set<String> s = new HashSet<>();
        for (int i = 0; i + k <= w.size(); i++) {
            s.add(String.join(" ", w.subList(i, i + k)));
        }
        return s;
    }

    @Test
    void exact_normalisesCaseSpaceAndWidth() {
        ExactDedup seen = ExactDedup.create();
        assertTrue(seen.add("What is 2+2?", 1).isEmpty());
        assertEquals(OptionalLong.of(1), seen.add("  what IS\n 2+2? ", 2));
        assertEquals(OptionalLong.of(1), seen.add("What is ２+２?", 3), "full-width digits are NFKC-normalised");
        assertTrue(seen.add("What is 2+3?", 4).isEmpty());
        assertEquals(2, seen.size());
        assertEquals("what is 2+2?", ExactDedup.normalize(" What\tis  2+2? "));
    }

    @Test
    void minHash_estimateTracksTheTrueJaccard() {
        MinHash mh = MinHash.builder().bands(32).rows(8).seed(3).build();
        List<String> base = words(1, 400);
        for (double p : new double[] {0.02, 0.1, 0.3}) {
            List<String> other = edited(base, p, 7);
            double truth = trueJaccard(base, other, 5);
            double estimate = MinHash.estimatedJaccard(mh.signature(String.join(" ", base)),
                    mh.signature(String.join(" ", other)));
            assertEquals(truth, estimate, 0.1, "edit rate " + p);
        }
    }

    @Test
    void minHashIndex_findsNearDuplicates_notDistinctTexts() {
        MinHash mh = MinHash.builder().seed(11).build(); // 16 x 8, threshold about 0.71
        MinHashIndex index = mh.newIndex();
        List<String> doc = words(2, 300);
        assertTrue(index.add(mh.signature(String.join(" ", doc)), 100).isEmpty());
        String nearCopy = String.join(" ", edited(doc, 0.01, 5)).toUpperCase(java.util.Locale.ROOT);
        assertTrue(trueJaccard(doc, edited(doc, 0.01, 5), 5) > 0.85);
        assertEquals(OptionalLong.of(100), index.add(mh.signature(nearCopy), 101));
        List<String> distant = edited(doc, 0.25, 9); // about a third of the shingles survive
        assertTrue(trueJaccard(doc, distant, 5) < 0.3);
        assertTrue(index.add(mh.signature(String.join(" ", distant)), 102).isEmpty());
        assertTrue(index.add(mh.signature(String.join(" ", words(3, 300))), 103).isEmpty());
        assertEquals(3, index.size(), "the near-duplicate is not recorded");
        assertEquals(OptionalLong.of(103), index.find(mh.signature(String.join(" ", words(3, 300)))));
    }

    @Test
    void minHash_isSeededAndHandlesShortTexts() {
        MinHash a = MinHash.builder().seed(1).shingling(Shingling.characters(4)).build();
        MinHash b = MinHash.builder().seed(2).shingling(Shingling.characters(4)).build();
        assertArrayEquals(a.signature("Solve x^2 = 4"), a.signature("solve  X^2 = 4"));
        assertFalse(java.util.Arrays.equals(a.signature("Solve x^2 = 4"), b.signature("Solve x^2 = 4")));
        MinHash words = MinHash.builder().build();
        assertArrayEquals(words.signature("two words"), words.signature("Two, words!"));
        assertFalse(java.util.Arrays.equals(words.signature("two words"), words.signature("other words")));
        assertEquals(0.707, words.threshold(), 0.01);
        int[] shortSignature = words.signature("only three words");
        assertTrue(java.util.Arrays.stream(shortSignature).noneMatch(v -> v == Integer.MAX_VALUE),
                "every position is filled by densification");
        assertEquals(1.0, MinHash.estimatedJaccard(shortSignature, words.signature("Only three words.")));
        assertEquals(ExactDedup.fingerprint("Ünïcode  TEXT"), ExactDedup.fingerprint("ünïcode text"));
        assertEquals(ExactDedup.fingerprint("Plain  TEXT"), ExactDedup.fingerprint(" plain text"));
        assertThrows(IllegalArgumentException.class, () -> MinHash.builder().bands(0).rows(99).build());
    }

    @Test
    void decontaminator_reportsTheOverlappingBenchmarkIds() throws IOException {
        String item = "Let ABC be a triangle with sides of length 13, 14 and 15. Find the radius of the circle "
                + "inscribed in triangle ABC and express the answer as a common fraction.";
        Path bench = dir.resolve("bench.jsonl");
        Files.writeString(bench, "{\"unique_id\":\"test/geometry/7.json\",\"problem\":\"" + item + "\"}\n"
                + "{\"unique_id\":\"test/algebra/1.json\",\"problem\":\"Solve for x: 2x + 3 = 11.\"}\n");
        Decontaminator d = Decontaminator.builder().benchmark("math500", bench, List.of("problem"), "unique_id")
                .benchmark("aime", Map.of("aime-3", "Find the number of ordered pairs of positive integers (m, n) "
                        + "such that m squared plus n squared equals one hundred and twenty five exactly"))
                .build();
        assertEquals(Map.of("math500", 2, "aime", 1), d.itemsPerBenchmark());
        String contaminated = "Warm-up. Consider a triangle with sides of length 13, 14 and 15. Find the radius of "
                + "the circle inscribed in it.";
        List<Decontaminator.Overlap> hits = d.check(contaminated);
        assertEquals(1, hits.size());
        assertEquals("math500", hits.get(0).benchmark());
        assertEquals("test/geometry/7.json", hits.get(0).id());
        assertTrue(hits.get(0).sharedNgrams() >= 1);
        assertTrue(d.check("A TRIANGLE with sides of length 13 14 and 15; find the radius of the circle").size() == 1,
                "case and punctuation do not hide an overlap");
        assertTrue(d.check("Consider a triangle with sides of length 13, 14 and 15. Find its area.").isEmpty(),
                "twelve shared words are fewer than a 13-gram");
        assertTrue(d.check("Solve for x: 2x + 3 = 11.").isEmpty(), "items shorter than 13 words have no n-grams");
        assertEquals("aime-3", d.check("Find the number of ordered pairs of positive integers (m, n) such that m "
                + "squared plus n squared equals 50").get(0).id());
    }

    @Test
    void decontaminator_malformedBenchmarkNamesFileAndLine() throws IOException {
        Path bench = dir.resolve("b.jsonl");
        Files.writeString(bench, "{\"question\":\"q\"}\n{\"other\":1}\n");
        var e = assertThrows(ai.redstar.core.jsonl.JsonlException.class,
                () -> Decontaminator.builder().benchmark("b", bench, List.of("question"), null).build());
        assertTrue(e.getMessage().contains("b.jsonl line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Decontaminator.builder().build());
    }
}
