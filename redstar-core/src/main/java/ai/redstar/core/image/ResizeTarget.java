package ai.redstar.core.image;

/**
 * The {@code size} of {@code preprocessor_config.json}: what an image is resized to.
 */
public sealed interface ResizeTarget {

    /**
     * {@code {"shortest_edge": N}}: the shorter side becomes {@code edge} and the longer one
     * {@code int(edge * long / short)} (truncated, as transformers' {@code get_resize_output_image_size}); a square
     * image becomes {@code edge x edge}.
     *
     * @param edge the target length of the shorter side in pixels, positive
     */
    record ShortestEdge(int edge) implements ResizeTarget {
        /** @throws IllegalArgumentException when {@code edge} is not positive */
        public ShortestEdge {
            if (edge <= 0) {
                throw new IllegalArgumentException("size.shortest_edge must be positive, got " + edge);
            }
        }
    }

    /**
     * {@code {"height": H, "width": W}}: every image becomes exactly {@code height x width}, aspect ratio not kept.
     *
     * @param height output rows, positive
     * @param width output columns, positive
     */
    record FixedSize(int height, int width) implements ResizeTarget {
        /** @throws IllegalArgumentException when a side is not positive */
        public FixedSize {
            if (height <= 0 || width <= 0) {
                throw new IllegalArgumentException("size height and width must be positive, got height " + height
                        + ", width " + width);
            }
        }
    }

    /** The {@code (height, width)} an image of {@code height x width} pixels is resized to. */
    default int[] outputSize(int height, int width) {
        if (this instanceof FixedSize f) {
            return new int[] {f.height(), f.width()};
        }
        int edge = ((ShortestEdge) this).edge();
        // transformers: short, long = (w, h) if w <= h else (h, w); new_long = int(edge * long / short)
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        int newLong = (int) ((double) ((long) edge * longSide) / shortSide);
        return width <= height ? new int[] {newLong, edge} : new int[] {edge, newLong};
    }
}
