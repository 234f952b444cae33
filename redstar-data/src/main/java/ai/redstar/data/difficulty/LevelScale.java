package ai.redstar.data.difficulty;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How a declared difficulty level reads as a difficulty in [0, 1].
 *
 * <ul>
 *   <li>{@link Linear}: the first number in the text ("Level 5", "7", "3.5/10") mapped linearly from
 *       {@code [lowest, highest]} to [0, 1]; a value outside the range is not read (the problem stays unscored,
 *       never clamped).</li>
 *   <li>{@link Named}: named levels ("EASY", "interview"), compared ignoring case and surrounding white space.</li>
 * </ul>
 */
public sealed interface LevelScale permits LevelScale.Linear, LevelScale.Named {

    /** The difficulty of a level text, or empty when the text is not a level of this scale. */
    OptionalDouble read(String level);

    /** Numeric levels from {@code lowest} (difficulty 0) to {@code highest} (difficulty 1). */
    record Linear(double lowest, double highest) implements LevelScale {
        public Linear {
            if (!(Double.isFinite(lowest) && Double.isFinite(highest) && lowest < highest)) {
                throw new IllegalArgumentException("a level scale needs finite lowest < highest, got [" + lowest + ", "
                        + highest + "]");
            }
        }

        @Override
        public OptionalDouble read(String level) {
            OptionalDouble value = firstNumber(level);
            if (value.isEmpty() || value.getAsDouble() < lowest || value.getAsDouble() > highest) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of((value.getAsDouble() - lowest) / (highest - lowest));
        }
    }

    /** Named levels and their difficulties in [0, 1]. */
    record Named(Map<String, Double> levels) implements LevelScale {
        public Named {
            Map<String, Double> normalised = new HashMap<>();
            for (Map.Entry<String, Double> e : Objects.requireNonNull(levels, "levels").entrySet()) {
                double d = e.getValue();
                if (!(d >= 0 && d <= 1)) {
                    throw new IllegalArgumentException("level '" + e.getKey() + "' has difficulty " + d
                            + "; difficulties are in [0, 1]");
                }
                normalised.put(e.getKey().strip().toLowerCase(Locale.ROOT), d);
            }
            if (normalised.isEmpty()) {
                throw new IllegalArgumentException("a named level scale needs at least one level");
            }
            levels = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(normalised));
        }

        @Override
        public OptionalDouble read(String level) {
            Double d = levels.get(level.strip().toLowerCase(Locale.ROOT));
            return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
        }
    }

    /** MATH: "Level 1" (0) to "Level 5" (1). */
    static LevelScale math() {
        return new Linear(1, 5);
    }

    /** Ratings from 1 (0) to 10 (1), as in Omni-MATH or model-rated difficulty. */
    static LevelScale ratings() {
        return new Linear(1, 10);
    }

    /**
     * TACO's and APPS's levels: EASY 0, MEDIUM 0.25, MEDIUM_HARD 0.5, HARD 0.75, VERY_HARD 1; APPS introductory
     * 0, interview 0.5, competition 1.
     */
    static LevelScale taco() {
        return new Named(Map.of("easy", 0.0, "medium", 0.25, "medium_hard", 0.5, "hard", 0.75, "very_hard", 1.0,
                "introductory", 0.0, "interview", 0.5, "competition", 1.0));
    }

    private static OptionalDouble firstNumber(String text) {
        int i = 0;
        int n = text.length();
        while (i < n && !Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i == n) {
            return OptionalDouble.empty();
        }
        int start = i;
        if (start > 0 && text.charAt(start - 1) == '-') {
            start--;
        }
        while (i < n && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i + 1 < n && text.charAt(i) == '.' && Character.isDigit(text.charAt(i + 1))) {
            i++;
            while (i < n && Character.isDigit(text.charAt(i))) {
                i++;
            }
        }
        try {
            return OptionalDouble.of(Double.parseDouble(text.substring(start, i)));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }
}
