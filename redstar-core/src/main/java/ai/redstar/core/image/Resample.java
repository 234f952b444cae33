package ai.redstar.core.image;

/**
 * The resampling filters of PIL's {@code Image.resize}, with the integer codes that {@code preprocessor_config.json}
 * stores in its {@code resample} field ({@code PIL.Image.Resampling}).
 *
 * <p>{@link #NEAREST}, {@link #BILINEAR} and {@link #BICUBIC} (the filters of CLIP, SigLIP and LLaVA processors)
 * reproduce Pillow 9.4 bit for bit and are tested against it; {@link #BOX}, {@link #HAMMING} and {@link #LANCZOS} use
 * the same two-pass code and are tested against it as well (see {@code ImageResizeReferenceTest}).
 */
public enum Resample {
    /** PIL code 0: the pixel whose centre is nearest, no filtering. */
    NEAREST(0, 0.0),
    /** PIL code 1: a 3-lobed Lanczos (windowed sinc) filter, support 3. */
    LANCZOS(1, 3.0),
    /** PIL code 2: a triangle (tent) filter, support 1. */
    BILINEAR(2, 1.0),
    /** PIL code 3: Keys' cubic convolution with a = -0.5, support 2. */
    BICUBIC(3, 2.0),
    /** PIL code 4: a box filter, support 0.5 (each output pixel averages the input pixels it covers). */
    BOX(4, 0.5),
    /** PIL code 5: a Hamming-windowed sinc, support 1. */
    HAMMING(5, 1.0);

    private final int pilCode;
    private final double support;

    Resample(int pilCode, double support) {
        this.pilCode = pilCode;
        this.support = support;
    }

    /** The integer PIL uses for this filter, as written in {@code preprocessor_config.json}. */
    public int pilCode() {
        return pilCode;
    }

    /** The filter's support radius in input pixels before scaling by the downscale factor (0 for NEAREST). */
    double support() {
        return support;
    }

    /**
     * The filter of a PIL integer code.
     *
     * @throws IllegalArgumentException naming the code and the supported ones when no filter has it
     */
    public static Resample fromPilCode(int code) {
        for (Resample r : values()) {
            if (r.pilCode == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("resample " + code + " is not a PIL filter code; use 0 (nearest), "
                + "1 (lanczos), 2 (bilinear), 3 (bicubic), 4 (box) or 5 (hamming)");
    }

    /** The filter's kernel at distance {@code x} (in filter units), as Pillow's Resample.c computes it. */
    double kernel(double x) {
        switch (this) {
            case BOX:
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            case BILINEAR: {
                double a = x < 0.0 ? -x : x;
                return a < 1.0 ? 1.0 - a : 0.0;
            }
            case HAMMING: {
                double a = x < 0.0 ? -x : x;
                if (a == 0.0) {
                    return 1.0;
                }
                if (a >= 1.0) {
                    return 0.0;
                }
                a = a * Math.PI;
                return Math.sin(a) / a * (0.54 + 0.46 * Math.cos(a));
            }
            case BICUBIC: {
                final double c = -0.5;
                double a = x < 0.0 ? -x : x;
                if (a < 1.0) {
                    return ((c + 2.0) * a - (c + 3.0)) * a * a + 1;
                }
                if (a < 2.0) {
                    return (((a - 5) * a + 8) * a - 4) * c;
                }
                return 0.0;
            }
            case LANCZOS:
                return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
            case NEAREST:
            default:
                throw new IllegalStateException("filter " + this + " has no convolution kernel");
        }
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x = x * Math.PI;
        return Math.sin(x) / x;
    }
}
