package ai.redstar.rl.loss;

/**
 * Backward recursions over masked responses on plain Java arrays. Package-private machinery of
 * {@code Gae}/{@code DiscountedReturns}; public so that the feature packages can share it. Stateless, thread-safe.
 */
public final class Trajectories {
    private Trajectories() {
    }

    /** Checks one response row: rewards, values (may be null) and mask of equal length. */
    public static void checkRow(int row, double[] rewards, double[] values, boolean[] mask) {
        if (rewards.length != mask.length || (values != null && values.length != mask.length)) {
            throw new IllegalArgumentException("row " + row + ": rewards (" + rewards.length + "), values ("
                    + (values == null ? "none" : values.length) + ") and mask (" + mask.length
                    + ") must have one entry per response position");
        }
    }

    /**
     * Generalised advantage estimation for one response: δ_t = r_t + γ·V_{t+1} − V_t, A_t = δ_t + γλ·A_{t+1}, with
     * V = 0 after the last position (the response ends the episode). Masked positions get advantage 0 and are
     * treated as {@code masked} says.
     *
     * @param values null for REINFORCE-style returns (V ≡ 0, λ = 1 gives the discounted return)
     */
    public static double[] gae(double[] rewards, double[] values, boolean[] mask, double gamma, double lambda,
            MaskedTokens masked) {
        int n = rewards.length;
        double[] out = new double[n];
        double nextValue = 0;
        double nextAdv = 0;
        for (int t = n - 1; t >= 0; t--) {
            double v = values == null ? 0 : values[t];
            if (!mask[t]) {
                out[t] = 0;
                if (masked == MaskedTokens.ZERO) {
                    // reward 0 and value 0 at this position, but it stays a step of the recursion
                    double delta = gamma * nextValue;
                    nextAdv = delta + gamma * lambda * nextAdv;
                    nextValue = 0;
                }
                continue;
            }
            double delta = rewards[t] + gamma * nextValue - v;
            nextAdv = delta + gamma * lambda * nextAdv;
            out[t] = nextAdv;
            nextValue = v;
        }
        return out;
    }
}
