package ai.redstar.rl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reinforcement-learning algorithm of a run together with its own parameters: {@link Dpo}, {@link Ppo},
 * {@link ReinforcePlusPlus} or {@link Grpo}. Every implementation is an immutable, validated record and thread-safe.
 */
public sealed interface RlStrategy permits Dpo, Ppo, ReinforcePlusPlus, Grpo {

    /** Collects the problems of one record's parameters so that all of them are reported at once. */
    final class Problems {
        private final String owner;
        private final List<String> problems = new ArrayList<>();

        Problems(String owner) {
            this.owner = owner;
        }

        void check(boolean ok, String parameter, Object value, String rule) {
            if (!ok) {
                problems.add(String.format(Locale.ROOT, "%s=%s %s", parameter, value, rule));
            }
        }

        void positiveFinite(String parameter, double value) {
            check(Double.isFinite(value) && value > 0, parameter, value, "must be finite and > 0");
        }

        void unitInterval(String parameter, double value) {
            check(value >= 0 && value <= 1, parameter, value, "must lie in [0, 1]");
        }

        void nonNegativeFinite(String parameter, double value) {
            check(Double.isFinite(value) && value >= 0, parameter, value, "must be finite and >= 0");
        }

        void notNull(String parameter, Object value) {
            check(value != null, parameter, value, "must not be null");
        }

        void throwIfAny() {
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(owner + ": " + String.join("; ", problems)
                        + " (fix the listed parameters)");
            }
        }
    }
}
