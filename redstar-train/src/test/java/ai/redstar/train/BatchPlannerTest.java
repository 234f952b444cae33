package ai.redstar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {
    private static final SftData DATA = SftData.of(TinySft.randomExamples(3000, 2, 100, 50, 1));

    @Test
    void packed_everyKeptRecordOncePerEpochInRowsOfAtMostMaxLength() {
        BatchPlanner planner = new BatchPlanner(DATA, 64, TruncationPolicy.TRUNCATE, Batching.PACKED, 256, 3, 7);
        for (int epoch = 0; epoch < 2; epoch++) {
            List<Integer> seen = new ArrayList<>();
            int totalRows = 0;
            for (MicroBatch mb : planner.epoch(epoch)) {
                assertTrue(mb.rows().length <= 4, "rows per micro-batch");
                assertTrue(mb.rows().length * mb.width() <= 256, "token budget");
                for (int[] row : mb.rows()) {
                    int length = 0;
                    for (int r : row) {
                        length += planner.keptLength(r);
                        seen.add(r);
                    }
                    assertTrue(length <= 64, "row of " + length);
                    totalRows++;
                }
            }
            assertEquals(planner.keptRecords(), seen.size());
            assertEquals(planner.keptRecords(), seen.stream().distinct().count());
            long tokens = seen.stream().mapToLong(planner::keptLength).sum();
            assertTrue(tokens > 0.9 * totalRows * 64, "packing fills rows: " + tokens + " tokens in " + totalRows);
        }
        int steps = planner.stepsInEpoch(0);
        assertEquals((planner.epoch(0).size() + 2) / 3, steps);
        assertTrue(planner.step(0, steps - 1).size() <= 3);
    }

    @Test
    void truncationPolicy_countsTruncatedAndDroppedRecords() {
        BatchPlanner truncate = new BatchPlanner(DATA, 64, TruncationPolicy.TRUNCATE, Batching.PACKED, 64, 1, 7);
        BatchPlanner drop = new BatchPlanner(DATA, 64, TruncationPolicy.DROP, Batching.PACKED, 64, 1, 7);
        long longer = 0;
        long noTargetWithin64 = 0;
        for (int i = 0; i < DATA.size(); i++) {
            if (DATA.length(i) > 64) {
                longer++;
                if (DATA.firstTarget(i) >= 64) {
                    noTargetWithin64++;
                }
            }
        }
        assertTrue(longer > 0);
        assertEquals(longer - noTargetWithin64, truncate.truncated());
        assertEquals(longer, drop.droppedTooLong());
        assertEquals(0, drop.truncated());
        assertEquals(DATA.size() - longer - drop.droppedWithoutTargets(), drop.keptRecords());
    }

    @Test
    void plan_isDeterministicPerSeedAndDiffersAcrossEpochs() {
        BatchPlanner a = new BatchPlanner(DATA, 64, TruncationPolicy.TRUNCATE, Batching.PACKED, 128, 1, 7);
        BatchPlanner b = new BatchPlanner(DATA, 64, TruncationPolicy.TRUNCATE, Batching.PACKED, 128, 1, 7);
        BatchPlanner c = new BatchPlanner(DATA, 64, TruncationPolicy.TRUNCATE, Batching.PACKED, 128, 1, 8);
        assertArrayEquals(a.step(1, 5).get(0).records(), b.step(1, 5).get(0).records());
        assertNotEquals(Arrays.toString(a.step(0, 5).get(0).records()), Arrays.toString(a.step(1, 5).get(0).records()));
        assertNotEquals(Arrays.toString(a.step(0, 5).get(0).records()), Arrays.toString(c.step(0, 5).get(0).records()));
    }

    @Test
    void padded_oneRecordPerRowWithinTheTokenBudgetGroupedByLength() {
        BatchPlanner planner = new BatchPlanner(DATA, 100, TruncationPolicy.TRUNCATE, Batching.PADDED, 400, 1, 7);
        long paddedTokens = 0;
        long realTokens = 0;
        int records = 0;
        for (MicroBatch mb : planner.epoch(0)) {
            assertTrue(mb.rows().length * mb.width() <= 400 || mb.rows().length == 1);
            for (int[] row : mb.rows()) {
                assertEquals(1, row.length);
                records++;
            }
            paddedTokens += (long) mb.rows().length * mb.width();
            realTokens += mb.tokens();
        }
        assertEquals(planner.keptRecords(), records);
        assertTrue(realTokens > 0.9 * paddedTokens, "length grouping keeps padding low: " + realTokens + "/"
                + paddedTokens);
    }

    @Test
    void collate_packsRecordsAsSegmentsWithRestartingPositions() {
        TokenizedExample a = new TokenizedExample(new int[] {5, 6, 7}, new boolean[] {false, true, true});
        TokenizedExample b = new TokenizedExample(new int[] {8, 9}, new boolean[] {false, true});
        MicroBatch mb = new MicroBatch(new int[][] {{0, 1}, {1}}, 7, 5);
        MicroBatch.Collated c = mb.collate(List.of(a, b, b), 10);
        assertArrayEquals(new long[] {5, 6, 7, 8, 9, 8, 9, 0, 0, 0}, c.ids());
        assertArrayEquals(new long[] {0, 1, 2, 0, 1, 0, 1, 0, 0, 0}, c.positions());
        assertArrayEquals(new long[] {1, 1, 1, 2, 2, 1, 1, 0, 0, 0}, c.segments());
        // targets predicted at the position before them, never across records
        assertArrayEquals(new long[] {0, 1, 3, 5}, c.lossPositions());
        assertArrayEquals(new long[] {6, 7, 9, 9}, c.targets());
        assertEquals(7, c.tokens());
    }
}
