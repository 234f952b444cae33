package ai.redstar.verify.eval;

import java.util.List;
import java.util.Objects;

/**
 * The unbiased pass@k estimator of Chen et al., "Evaluating Large Language Models Trained on Code" (2021, eq. 1):
 * with {@code n} samples of which {@code c} are correct, the probability that at least one of {@code k} samples
 * drawn without replacement is correct, {@code 1 - C(n-c, k) / C(n, k)}.
 *
 * <p>Computed as {@code 1 - Π_{i=n-c+1}^{n} (1 - k/i)}, a product of {@code c} factors in (0, 1], which neither
 * overflows (the binomial coefficients would for n in the hundreds) nor loses precision. Stateless.
 */
public final class PassAtK {

    private PassAtK() {
    }

    /** One problem's samples: {@code samples} generated, {@code correct} of them right. */
    public record Tally(int samples, int correct) {
        /**
         * @throws IllegalArgumentException unless {@code 0 <= correct <= samples} and {@code samples >= 1}
         */
        public Tally {
            if (samples < 1 || correct < 0 || correct > samples) {
                throw new IllegalArgumentException("a tally needs 1 <= samples and 0 <= correct <= samples, got samples="
                        + samples + ", correct=" + correct);
            }
        }
    }

    /**
     * The unbiased estimate of pass@k for one problem, in [0, 1].
     *
     * @param n samples generated, at least 1
     * @param c correct samples, in [0, n]
     * @param k samples drawn, in [1, n]
     * @throws IllegalArgumentException naming the value that breaks these ranges
     */
    public static double unbiased(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n) {
            throw new IllegalArgumentException("pass@k needs n >= 1 and 0 <= c <= n, got n=" + n + ", c=" + c);
        }
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("pass@k needs 1 <= k <= n, got k=" + k + " with n=" + n
                    + " (draw no more samples than were generated)");
        }
        if (n - c < k) {
            return 1.0; // every draw of k samples contains a correct one
        }
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            allWrong *= 1.0 - (double) k / i;
        }
        return 1.0 - allWrong;
    }

    /**
     * The mean of {@link #unbiased} over problems, each with its own sample count.
     *
     * @throws IllegalArgumentException when the list is empty or {@code k} exceeds a problem's sample count
     */
    public static double mean(List<Tally> tallies, int k) {
        Objects.requireNonNull(tallies, "tallies");
        if (tallies.isEmpty()) {
            throw new IllegalArgumentException("pass@" + k + " of no problems is undefined");
        }
        double sum = 0;
        for (Tally t : tallies) {
            sum += unbiased(t.samples(), t.correct(), k);
        }
        return sum / tallies.size();
    }
}
