package ai.redstar.rl.reward;

import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Verdict;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Scores a sampled response. Made from {@link #correctness(RuleVerifier)} (1 right, 0 wrong),
 * {@link #format(Pattern, double)} and {@link #overlongPenalty(int, int, double)}, composed with {@link #plus}.
 * Implementations must be thread-safe; the ones made here are (RuleVerifier is).
 */
@FunctionalInterface
public interface RewardFunction {

    /** The reward of one rollout with its reason. */
    Reward score(Rollout rollout);

    /** The sum of both rewards; the reasons are joined with "; ". */
    default RewardFunction plus(RewardFunction other) {
        Objects.requireNonNull(other, "other");
        return rollout -> {
            Reward a = score(rollout);
            Reward b = other.score(rollout);
            return new Reward(a.value() + b.value(), a.reason() + "; " + b.reason());
        };
    }

    /**
     * 1 when the verifier's verdict is correct, else 0 (wrong, no answer and undecided alike); the reason is the
     * verdict's reason and detail.
     */
    static RewardFunction correctness(RuleVerifier verifier) {
        Objects.requireNonNull(verifier, "verifier");
        return rollout -> {
            Verdict v = verifier.verify(rollout.response(), rollout.gold());
            String detail = v.detail().isEmpty() ? "" : " (" + v.detail() + ")";
            return new Reward(v.correct() ? 1 : 0, "verdict " + v.reason() + detail);
        };
    }

    /**
     * {@code bonus} when the response matches {@code pattern} anywhere ({@link java.util.regex.Matcher#find()}),
     * else 0.
     *
     * @param bonus finite
     */
    static RewardFunction format(Pattern pattern, double bonus) {
        Objects.requireNonNull(pattern, "pattern");
        if (!Double.isFinite(bonus)) {
            throw new IllegalArgumentException("bonus=" + bonus + " must be finite");
        }
        return rollout -> pattern.matcher(rollout.response()).find()
                ? new Reward(bonus, "format ok")
                : new Reward(0, "format missing /" + pattern.pattern() + "/");
    }

    /**
     * DAPO's soft overlong punishment: 0 up to {@code maxTokens − buffer} tokens, then falling linearly to
     * {@code −maxPenalty} at {@code maxTokens}, and {@code −maxPenalty} beyond or when truncated.
     *
     * @param maxTokens the generation length limit, &gt; 0
     * @param buffer length of the linear zone, in [1, maxTokens]
     * @param maxPenalty finite and &gt;= 0
     */
    static RewardFunction overlongPenalty(int maxTokens, int buffer, double maxPenalty) {
        if (maxTokens < 1 || buffer < 1 || buffer > maxTokens || !(maxPenalty >= 0) || !Double.isFinite(maxPenalty)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "maxTokens=%d, buffer=%d, maxPenalty=%s: "
                    + "need maxTokens >= 1, 1 <= buffer <= maxTokens and a finite maxPenalty >= 0",
                    maxTokens, buffer, maxPenalty));
        }
        int free = maxTokens - buffer;
        return rollout -> {
            int n = rollout.responseTokens();
            double penalty;
            if (rollout.truncated() || n > maxTokens) {
                penalty = maxPenalty;
            } else if (n <= free) {
                penalty = 0;
            } else {
                penalty = maxPenalty * (n - free) / buffer;
            }
            return new Reward(penalty == 0 ? 0 : -penalty, String.format(Locale.ROOT, "length %d of %d, penalty %.4g", n, maxTokens,
                    penalty));
        };
    }
}
