package ai.redstar.core.generate;

import java.util.SplittableRandom;

/**
 * The random stream of each sample: a function of the request's seed, its prompt and the sample's index only, so a
 * request samples the same tokens whatever else shares its batch.
 */
final class SampleStreams {
    private SampleStreams() {}

    /** A fresh stream for sample {@code sampleIndex} of {@code prompt} under {@code seed}. */
    static SplittableRandom of(long seed, int[] prompt, int sampleIndex) {
        long h = mix(seed ^ 0x5EED_0F_5A_4D_B1E5L);
        for (int id : prompt) {
            h = mix(h + id + 0x9E37_79B9_7F4A_7C15L);
        }
        h = mix(h ^ (0x632B_E59B_D9B4_E019L * (sampleIndex + 1L)));
        return new SplittableRandom(h);
    }

    /** SplitMix64's finaliser (Steele, Lea and Flood 2014). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
