package ai.redstar.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of one micro-batch: one array of record indices per row (several under packing, one under padding).
 *
 * @param rows record indices per row, in row order
 * @param tokens real (non-padding) tokens after truncation
 * @param width the longest row in tokens; the micro-batch is {@code [rows, width]}
 */
record MicroBatch(int[][] rows, int tokens, int width) {
    /**
     * The collated arrays of a micro-batch, row-major {@code [rows, width]}, and the image files of its records in
     * the order of their image token runs (row by row, record by record): the order {@code VisionLm} fills them in.
     * Records with images are never truncated ({@link BatchPlanner} leaves out longer ones), so every listed image
     * has its whole run.
     */
    record Collated(int rows, int width, long[] ids, long[] positions, long[] segments, long[] lossPositions,
            long[] targets, int tokens, List<Path> images) {
        /** Number of targets. */
        int lossTokens() {
            return targets.length;
        }
    }

    /** All record indices, row by row. */
    int[] records() {
        int n = 0;
        for (int[] row : rows) {
            n += row.length;
        }
        int[] all = new int[n];
        int k = 0;
        for (int[] row : rows) {
            System.arraycopy(row, 0, all, k, row.length);
            k += row.length;
        }
        return all;
    }

    /**
     * Lays the examples out: each record of a row becomes its own segment (1, 2, ...) with positions from 0; padding
     * has segment 0, position 0 and id 0. The targets are the masked tokens {@code t ≥ 1} of each record, predicted at
     * flat position {@code row · width + start + t − 1}.
     *
     * @param examples the tokenized records of {@link #records()}, in that order
     * @param maxLength records are cut to this many tokens
     */
    Collated collate(List<TokenizedExample> examples, int maxLength) {
        int b = rows.length;
        long[] ids = new long[b * width];
        long[] positions = new long[b * width];
        long[] segments = new long[b * width];
        int lossTokens = 0;
        int k = 0;
        for (int[] row : rows) {
            for (int ignored : row) {
                TokenizedExample e = examples.get(k++);
                int n = Math.min(e.length(), maxLength);
                for (int t = 1; t < n; t++) {
                    if (e.target(t)) {
                        lossTokens++;
                    }
                }
            }
        }
        long[] lossPositions = new long[lossTokens];
        long[] targets = new long[lossTokens];
        int real = 0;
        int j = 0;
        k = 0;
        List<Path> images = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            int start = r * width;
            int segment = 1;
            for (int ignored : rows[r]) {
                TokenizedExample e = examples.get(k++);
                int n = Math.min(e.length(), maxLength);
                if (!e.images().isEmpty() && n < e.length()) {
                    throw new IllegalStateException("a record with images was cut to " + maxLength + " tokens; image"
                            + " records longer than maxLength must be left out");
                }
                images.addAll(e.images());
                for (int t = 0; t < n; t++) {
                    ids[start + t] = e.id(t);
                    positions[start + t] = t;
                    segments[start + t] = segment;
                    if (t >= 1 && e.target(t)) {
                        lossPositions[j] = start + t - 1;
                        targets[j] = e.id(t);
                        j++;
                    }
                }
                start += n;
                real += n;
                segment++;
            }
            if (start > (r + 1) * width) {
                throw new IllegalStateException("row " + r + " holds " + (start - r * width)
                        + " tokens, more than the width " + width);
            }
        }
        return new Collated(b, width, ids, positions, segments, lossPositions, targets, real, List.copyOf(images));
    }
}
