package ai.redstar.data.geo;

import java.awt.Font;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The hermetic geometry task: generates {@link GeoProblem}s (figures drawn with Java2D, a question, four options and
 * a teacher trace) at difficulty levels 1 to 3, deterministically from a seed.
 *
 * <pre>{@code
 * GeoTask task = GeoTask.builder().imageSize(64).levels(1, 2, 3).seed(7).build();
 * List<GeoProblem> train = task.problems(0, 2000);
 * List<GeoProblem> heldOut = task.problems(1_000_000, 200);   // other indices: other figures
 * Verdict v = heldOut.get(0).grade(RuleVerifier.builder().build(), modelResponse);
 * }</pre>
 *
 * <p>Problem {@code i} depends only on the seed, {@code i} and the settings (not on which problems were made before),
 * and its level cycles through the configured levels ({@code levels[i % levels.length]}, so levels are balanced);
 * the kind within a level is drawn at random. Changing the flawed-trace share changes no figure and no options.
 * Figures are drawn off-screen; no display is needed ({@code java.awt.headless=true} is fine).
 *
 * <p>Immutable and thread-safe.
 */
public final class GeoTask {
    /** Default image side in pixels. */
    public static final int DEFAULT_IMAGE_SIZE = 64;

    private final int imageSize;
    private final float lineWidth;
    private final Font font;
    private final boolean antialias;
    private final long seed;
    private final List<Integer> levels;
    private final List<List<GeoKind>> kindsByLevel;
    private final TraceStyle traceStyle;
    private final double flawedTraceShare;
    private final GeoFigure.Style style;

    private GeoTask(Builder b, List<Integer> levels, List<List<GeoKind>> kindsByLevel) {
        this.imageSize = b.imageSize == null ? DEFAULT_IMAGE_SIZE : b.imageSize;
        this.lineWidth = b.lineWidth == null ? defaultLineWidth(imageSize) : b.lineWidth;
        this.font = b.font == null ? defaultFont(imageSize) : b.font;
        this.antialias = b.antialias == null || b.antialias;
        this.seed = b.seed == null ? 0 : b.seed;
        this.levels = List.copyOf(levels);
        this.kindsByLevel = kindsByLevel.stream().map(List::copyOf).toList();
        this.traceStyle = b.traceStyle == null ? TraceStyle.THINKING : b.traceStyle;
        this.flawedTraceShare = b.flawedTraceShare == null ? 0 : b.flawedTraceShare;
        this.style = new GeoFigure.Style(imageSize, lineWidth, font, antialias);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default stroke width for an image side: side / 28 pixels, within [1.5, 4]. */
    public static float defaultLineWidth(int imageSize) {
        return Math.max(1.5f, Math.min(4f, imageSize / 28f));
    }

    /** The default label font: bold sans-serif, 11% of the image side (at least 8 pixels). */
    public static Font defaultFont(int imageSize) {
        return new Font(Font.SANS_SERIF, Font.BOLD, Math.max(8, Math.round(imageSize * 0.11f)));
    }

    /** The problem at {@code index} (any long; the same index always gives the same problem). */
    public GeoProblem problem(long index) {
        SplittableRandom rng = new SplittableRandom(new SplittableRandom(seed).split().nextLong() ^ mix(index));
        int group = (int) Math.floorMod(index, (long) kindsByLevel.size());
        List<GeoKind> kinds = kindsByLevel.get(group);
        GeoKind kind = kinds.get(rng.nextInt(kinds.size()));
        Draft draft = Drafts.draft(kind, rng);
        List<String> choices;
        List<Draft.Wrong> offered;
        if (kind.fixedChoices().isPresent()) {
            choices = kind.fixedChoices().get();
            offered = draft.wrongs();
        } else {
            List<Draft.Wrong> pool = new ArrayList<>(draft.wrongs());
            Collections.shuffle(pool, new java.util.Random(rng.nextLong()));
            offered = ranked(draft.answer(), pool, rng.nextInt(4));
            List<String> texts = new ArrayList<>();
            texts.add(draft.answer());
            offered.forEach(w -> texts.add(w.answer()));
            Collections.shuffle(texts, new java.util.Random(rng.nextLong()));
            choices = texts;
        }
        char letter = (char) ('A' + choices.indexOf(draft.answer()));
        boolean flawed = rng.nextDouble() < flawedTraceShare;
        Draft.Wrong slip = offered.get(rng.nextInt(offered.size()));
        String trace = flawed
                ? Traces.write(traceStyle, draft.reading(), slip.steps(), slip.answer(),
                        (char) ('A' + choices.indexOf(slip.answer())))
                : Traces.write(traceStyle, draft.reading(), draft.steps(), draft.answer(), letter);
        String id = "geo-" + seed + "-" + index;
        return new GeoProblem(id, kind.level(), kind, kind.question(), choices, String.valueOf(letter), trace,
                !flawed, new GeoFigure(draft.marks(), style));
    }

    /** Problems {@code 0 .. count-1}. */
    public List<GeoProblem> problems(int count) {
        return problems(0, count);
    }

    /** Problems {@code first .. first+count-1}; use disjoint ranges for training and held-out sets. */
    public List<GeoProblem> problems(long first, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        List<GeoProblem> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(problem(first + i));
        }
        return out;
    }

    /**
     * Three wrong options such that exactly {@code rank} of them are below the answer (so that the answer's rank
     * among the options is uniform and says nothing), taken from the shuffled plausible mistakes first and completed
     * with near misses (a value estimated from the drawing).
     */
    private static List<Draft.Wrong> ranked(String answer, List<Draft.Wrong> pool, int rank) {
        String unit = answer.endsWith("°") ? "°" : "";
        int value = Integer.parseInt(answer.substring(0, answer.length() - unit.length()));
        int limit = unit.isEmpty() ? Integer.MAX_VALUE : 360;
        List<Draft.Wrong> below = new ArrayList<>();
        List<Draft.Wrong> above = new ArrayList<>();
        Set<Integer> used = new java.util.HashSet<>();
        used.add(value);
        for (Draft.Wrong w : pool) {
            int v = Integer.parseInt(w.answer().substring(0, w.answer().length() - unit.length()));
            List<Draft.Wrong> side = v < value ? below : above;
            if (side.size() < (v < value ? rank : 3 - rank) && used.add(v)) {
                side.add(w);
            }
        }
        int delta = unit.isEmpty() ? Math.max(1, value / 8) : 10;
        for (int k = 1; below.size() < rank && value - k * delta > 0; k++) {
            nearMiss(value - k * delta, unit, used, below);
        }
        for (int k = 1; below.size() + above.size() < 3 && value + k * delta < limit; k++) {
            nearMiss(value + k * delta, unit, used, above);
        }
        List<Draft.Wrong> out = new ArrayList<>(below);
        out.addAll(above);
        return out;
    }

    private static void nearMiss(int v, String unit, Set<Integer> used, List<Draft.Wrong> into) {
        if (used.add(v)) {
            into.add(new Draft.Wrong(v + unit, List.of(String.format(Locale.ROOT,
                    "Estimating from the drawing instead of computing: x is about %d%s.", v, unit))));
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    public int imageSize() {
        return imageSize;
    }

    public float lineWidth() {
        return lineWidth;
    }

    public Font font() {
        return font;
    }

    public boolean antialias() {
        return antialias;
    }

    public long seed() {
        return seed;
    }

    /** The levels problems cycle through, ascending. */
    public List<Integer> levels() {
        return levels;
    }

    /** The kinds drawn from, by level (ascending). */
    public List<GeoKind> kinds() {
        return kindsByLevel.stream().flatMap(List::stream).toList();
    }

    public TraceStyle traceStyle() {
        return traceStyle;
    }

    public double flawedTraceShare() {
        return flawedTraceShare;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "GeoTask{imageSize=%d, lineWidth=%.2f, font=%s %d, antialias=%b, seed=%d,"
                + " kinds=%s, traceStyle=%s, flawedTraceShare=%.3f}", imageSize, lineWidth, font.getFamily(),
                font.getSize(), antialias, seed, kinds(), traceStyle, flawedTraceShare);
    }

    /** Settings of a {@link GeoTask}; each may be set once, and {@link #build()} reports every problem at once. */
    public static final class Builder {
        private Integer imageSize;
        private Float lineWidth;
        private Font font;
        private Boolean antialias;
        private Long seed;
        private int[] levels;
        private GeoKind[] kinds;
        private TraceStyle traceStyle;
        private Double flawedTraceShare;
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /** Side of the square images in pixels, 16 to 2048 (default 64; 128 or more makes level 2-3 labels legible). */
        public Builder imageSize(int pixels) {
            once(imageSize, "imageSize");
            imageSize = pixels;
            return this;
        }

        /** Stroke width in pixels, above 0 and at most a quarter of the side (default {@link #defaultLineWidth}). */
        public Builder lineWidth(float pixels) {
            once(lineWidth, "lineWidth");
            lineWidth = pixels;
            return this;
        }

        /** The label font; its size is in pixels (default {@link #defaultFont}). */
        public Builder font(Font font) {
            once(this.font, "font");
            this.font = Objects.requireNonNull(font, "font");
            return this;
        }

        /** Whether lines and text are anti-aliased (default true); off gives pure black-and-white strokes. */
        public Builder antialias(boolean on) {
            once(antialias, "antialias");
            antialias = on;
            return this;
        }

        /** The seed (default 0). */
        public Builder seed(long seed) {
            once(this.seed, "seed");
            this.seed = seed;
            return this;
        }

        /** The levels to generate, each 1 to 3 (default all three); problems cycle through them in ascending order. */
        public Builder levels(int... levels) {
            once(this.levels, "levels");
            this.levels = levels.clone();
            return this;
        }

        /** Only these kinds (default every kind of the chosen levels); each must be of a chosen level. */
        public Builder kinds(GeoKind... kinds) {
            once(this.kinds, "kinds");
            this.kinds = kinds.clone();
            return this;
        }

        /** How traces are written (default {@link TraceStyle#THINKING}). */
        public Builder traceStyle(TraceStyle style) {
            once(traceStyle, "traceStyle");
            traceStyle = Objects.requireNonNull(style, "style");
            return this;
        }

        /**
         * The share of problems, 0 to 1, whose trace takes a plausible wrong step and ends on a wrong letter
         * (default 0), so that verification has something to reject; {@link GeoProblem#traceCorrect()} tells them.
         */
        public Builder flawedTraceShare(double share) {
            once(flawedTraceShare, "flawedTraceShare");
            flawedTraceShare = share;
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public GeoTask build() {
            List<String> all = new ArrayList<>(problems);
            int size = imageSize == null ? DEFAULT_IMAGE_SIZE : imageSize;
            if (imageSize != null && (imageSize < 16 || imageSize > 2048)) {
                all.add("imageSize must be 16 to 2048 pixels, was " + imageSize);
            }
            if (lineWidth != null && (!(lineWidth > 0) || lineWidth > size / 4f)) {
                all.add("lineWidth must be above 0 and at most imageSize / 4 = " + size / 4f + " pixels, was "
                        + lineWidth);
            }
            if (flawedTraceShare != null && !(flawedTraceShare >= 0 && flawedTraceShare <= 1)) {
                all.add("flawedTraceShare must be 0 to 1, was " + flawedTraceShare);
            }
            Set<Integer> levelSet = new TreeSet<>();
            if (levels != null) {
                if (levels.length == 0) {
                    all.add("levels is empty; give at least one of 1, 2, 3");
                }
                for (int l : levels) {
                    if (l < 1 || l > 3) {
                        all.add("level " + l + " does not exist; levels are 1, 2, 3");
                    } else if (!levelSet.add(l)) {
                        all.add("level " + l + " is given twice in " + Arrays.toString(levels));
                    }
                }
            }
            Set<GeoKind> kindSet = EnumSet.noneOf(GeoKind.class);
            if (kinds != null) {
                if (kinds.length == 0) {
                    all.add("kinds is empty; give at least one GeoKind or leave kinds unset");
                }
                for (GeoKind k : kinds) {
                    Objects.requireNonNull(k, "kinds contains null");
                    if (levels != null && !levelSet.contains(k.level())) {
                        all.add("kind " + k + " is of level " + k.level() + ", which is not among the levels "
                                + levelSet);
                    }
                    if (!kindSet.add(k)) {
                        all.add("kind " + k + " is given twice");
                    }
                }
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid GeoTask settings: " + String.join("; ", all));
            }
            if (levels == null) {
                levelSet = new TreeSet<>(kinds == null ? List.of(1, 2, 3)
                        : kindSet.stream().map(GeoKind::level).toList());
            }
            List<List<GeoKind>> byLevel = new ArrayList<>();
            for (int l : levelSet) {
                List<GeoKind> ofLevel = GeoKind.ofLevel(l).stream()
                        .filter(k -> kinds == null || kindSet.contains(k)).toList();
                if (ofLevel.isEmpty()) {
                    throw new IllegalArgumentException("invalid GeoTask settings: level " + l
                            + " has none of the chosen kinds " + kindSet + "; add one of " + GeoKind.ofLevel(l)
                            + " or drop the level");
                }
                byLevel.add(ofLevel);
            }
            return new GeoTask(this, new ArrayList<>(levelSet), byLevel);
        }
    }
}
