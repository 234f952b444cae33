package ai.redstar.examples.mini;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The miniature's reasoning task: add two whole numbers of the same number of digits. Level {@code L} has operands
 * of {@link #digits(int) L + 1} digits (level 1: two-digit numbers, level 4: five-digit numbers), so every level
 * needs one more column of digit sums and carries.
 *
 * <pre>{@code
 * AdditionTask task = AdditionTask.builder().seed(7).levels(1, 4).build();
 * List<MiniProblem> problems = task.generate(100);      // 100 per level, levels in order
 * AdditionTask.writeJsonl(problems, Path.of("problems.jsonl"));
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #generate} gives the same problems for the same settings.
 */
public final class AdditionTask {
    /** The highest level: operands of 9 digits keep every sum within {@code long} and every id short. */
    public static final int MAX_LEVEL = 8;
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final long seed;
    private final int minLevel;
    private final int maxLevel;

    private AdditionTask(Builder b) {
        this.seed = b.seed == null ? 0 : b.seed;
        this.minLevel = b.minLevel == null ? 1 : b.minLevel;
        this.maxLevel = b.maxLevel == null ? 4 : b.maxLevel;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The digits of each operand at {@code level}: {@code level + 1}. */
    public static int digits(int level) {
        return level + 1;
    }

    /** The question text of {@code left + right}. */
    public static String question(long left, long right) {
        return "Compute " + left + " + " + right + ".";
    }

    public long seed() {
        return seed;
    }

    public int minLevel() {
        return minLevel;
    }

    public int maxLevel() {
        return maxLevel;
    }

    /**
     * {@code perLevel} problems of every level from {@link #minLevel} to {@link #maxLevel}, level by level; no
     * question appears twice. Ids are {@code add-L<level>-<n>} with {@code n} from 0 within each level.
     *
     * @throws IllegalArgumentException when {@code perLevel} is below 1 or above the number of distinct questions of
     *     the lowest level
     */
    public List<MiniProblem> generate(int perLevel) {
        if (perLevel < 1) {
            throw new IllegalArgumentException("perLevel must be >= 1, got " + perLevel);
        }
        List<MiniProblem> out = new ArrayList<>(perLevel * (maxLevel - minLevel + 1));
        for (int level = minLevel; level <= maxLevel; level++) {
            long low = pow10(digits(level) - 1);
            long high = low * 10; // exclusive
            long distinct = (high - low) * (high - low);
            if (perLevel > distinct / 2) {
                throw new IllegalArgumentException("perLevel=" + perLevel + " is more than half of the " + distinct
                        + " distinct questions of level " + level + "; ask for fewer");
            }
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + level);
            Set<Long> seen = new HashSet<>();
            while (seen.size() < perLevel) {
                long left = random.nextLong(low, high);
                long right = random.nextLong(low, high);
                if (seen.add(left * high + right)) {
                    String id = String.format(Locale.ROOT, "add-L%d-%d", level, seen.size() - 1);
                    out.add(new MiniProblem(id, question(left, right), left, right, level));
                }
            }
        }
        return List.copyOf(out);
    }

    /** Writes {@code problems} as problem JSONL (see {@link MiniProblem#toJson()}), one per line, overwriting. */
    public static Path writeJsonl(List<MiniProblem> problems, Path file) {
        Objects.requireNonNull(problems, "problems");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (MiniProblem p : problems) {
                    w.write(GSON.toJson(p.toJson()));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write problems to " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }

    @Override
    public String toString() {
        return "AdditionTask{seed=" + seed + ", levels=" + minLevel + ".." + maxLevel + "}";
    }

    /** Settings of an {@link AdditionTask}; each may be set once. */
    public static final class Builder {
        private Long seed;
        private Integer minLevel;
        private Integer maxLevel;
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        /** The seed of the operands (default 0). */
        public Builder seed(long seed) {
            if (this.seed != null) {
                problems.add("seed was set twice");
            }
            this.seed = seed;
            return this;
        }

        /** The levels generated, {@code 1 <= min <= max <= }{@value AdditionTask#MAX_LEVEL} (default 1 to 4). */
        public Builder levels(int min, int max) {
            if (this.minLevel != null) {
                problems.add("levels were set twice");
            }
            this.minLevel = min;
            this.maxLevel = max;
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public AdditionTask build() {
            List<String> all = new ArrayList<>(problems);
            if (minLevel != null && !(1 <= minLevel && minLevel <= maxLevel && maxLevel <= MAX_LEVEL)) {
                all.add("levels " + minLevel + ".." + maxLevel + " must satisfy 1 <= min <= max <= " + MAX_LEVEL);
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid AdditionTask settings: " + String.join("; ", all));
            }
            return new AdditionTask(this);
        }
    }
}
