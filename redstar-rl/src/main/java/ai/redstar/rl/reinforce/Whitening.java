package ai.redstar.rl.reinforce;

import ai.redstar.rl.loss.Variance;

/**
 * Whitening of values over all valid positions of a whole rollout batch: {@code (x − mean)/sqrt(var + eps)}; masked
 * positions stay 0. Stateless and thread-safe.
 */
public final class Whitening {
    /** Added to the variance before the square root (OpenRLHF and verl use 1e-8). */
    public static final double DEFAULT_EPS = 1e-8;

    private Whitening() {
    }

    /**
     * @param values [batch][positions]
     * @param mask valid positions, same shape; at least one must be valid
     * @param variance population or unbiased variance
     * @param eps added to the variance, &gt;= 0
     * @return a new array; the input is not changed
     */
    public static double[][] whiten(double[][] values, boolean[][] mask, Variance variance, double eps) {
        int n = 0;
        for (boolean[] row : mask) {
            for (boolean m : row) {
                n += m ? 1 : 0;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("mask has no valid position; whitening needs at least one value");
        }
        double[] flat = new double[n];
        int k = 0;
        for (int i = 0; i < values.length; i++) {
            for (int t = 0; t < values[i].length; t++) {
                if (mask[i][t]) {
                    flat[k++] = values[i][t];
                }
            }
        }
        double mean = 0;
        for (double v : flat) {
            mean += v;
        }
        mean /= n;
        double scale = 1 / Math.sqrt(variance.of(flat) + eps);
        double[][] out = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            out[i] = new double[values[i].length];
            for (int t = 0; t < values[i].length; t++) {
                out[i][t] = mask[i][t] ? (values[i][t] - mean) * scale : 0;
            }
        }
        return out;
    }
}
