package ai.redstar.rl.loss;

/** Which variance estimator normalises advantages: implementations differ here, so it is always an explicit choice. */
public enum Variance {
    /** Σ(x − mean)² / n (OpenRLHF's whitening). */
    POPULATION,
    /** Σ(x − mean)² / (n − 1), Bessel-corrected (verl's whitening, {@code torch.std}); 0 when n = 1. */
    UNBIASED;

    /**
     * The variance of the values.
     *
     * @param values at least one value
     * @return the variance under this estimator
     */
    public double of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("values is empty; the variance needs at least one value");
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= values.length;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        if (this == POPULATION) {
            return ss / values.length;
        }
        return values.length == 1 ? 0 : ss / (values.length - 1);
    }
}
