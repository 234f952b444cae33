package ai.redstar.core.checkpoint;

/**
 * Conversions between binary32 and the two 16-bit float formats of checkpoints, bit-exact with PyTorch's scalar
 * conversions ({@code c10::BFloat16}, {@code c10::Half}): narrowing rounds to nearest, ties to even; overflow gives
 * infinity; NaN narrows to a quiet NaN. Thread-safe (stateless).
 */
final class HalfFloats {
    private HalfFloats() {}

    /** The binary32 value of the bfloat16 bit pattern {@code bits} (low 16 bits used); exact. */
    static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** The bfloat16 bit pattern nearest to {@code value} (ties to even); NaN gives {@code 0x7fc0} as in torch. */
    static short floatToBf16(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7fc0;
        }
        int bits = Float.floatToRawIntBits(value);
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** The binary32 value of the IEEE binary16 bit pattern {@code bits} (low 16 bits used); exact. */
    static float f16ToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // subnormal (or zero): mantissa units of 2^-24
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /**
     * The IEEE binary16 bit pattern nearest to {@code value} (ties to even); values of magnitude 65520 or more give
     * infinity; NaN gives {@code sign | 0x7e00} as in torch.
     */
    static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | (mantissa == 0 ? 0x7c00 : 0x7e00));
        }
        int halfExponent = exponent - 112; // rebias 127 -> 15
        if (halfExponent >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (halfExponent <= 0) {
            // Subnormal result (or zero): keep 10 bits of units 2^-24, round the dropped bits to nearest even.
            if (halfExponent < -10) {
                return (short) sign;
            }
            int full = mantissa | 0x800000;
            int shift = 14 - halfExponent;
            int kept = full >>> shift;
            int dropped = full & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (dropped > halfway || (dropped == halfway && (kept & 1) != 0)) {
                kept++; // may carry into the smallest normal, which is the right answer
            }
            return (short) (sign | kept);
        }
        int result = sign | (halfExponent << 10) | (mantissa >>> 13);
        int dropped = mantissa & 0x1fff;
        if (dropped > 0x1000 || (dropped == 0x1000 && (result & 1) != 0)) {
            result++; // may carry into the exponent, up to infinity, which is the right answer
        }
        return (short) result;
    }
}
