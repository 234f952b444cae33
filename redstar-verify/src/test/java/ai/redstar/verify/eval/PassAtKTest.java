package ai.redstar.verify.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PassAtKTest {

    @Test
    void unbiased_handDerivedValues() {
        assertEquals(0.0, PassAtK.unbiased(5, 0, 1));
        assertEquals(1.0, PassAtK.unbiased(5, 5, 3));
        assertEquals(0.3, PassAtK.unbiased(10, 3, 1), 1e-15);
        assertEquals(1 - 21.0 / 45, PassAtK.unbiased(10, 3, 2), 1e-15); // 1 - C(7,2)/C(10,2)
        assertEquals(1.0, PassAtK.unbiased(10, 8, 3)); // fewer than 3 wrong samples: every draw has a right one
    }

    @Test
    void unbiased_largeN_staysFinite() {
        double p = PassAtK.unbiased(1000, 1, 100);
        assertEquals(0.1, p, 1e-12);
        assertTrue(Double.isFinite(PassAtK.unbiased(100_000, 50_000, 50_000)));
    }

    @Test
    void unbiased_outOfRange_namesTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PassAtK.unbiased(4, 1, 5));
        assertTrue(e.getMessage().contains("k=5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PassAtK.unbiased(4, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> new PassAtK.Tally(3, 4));
    }

    @Test
    void mean_averagesProblems() {
        double mean = PassAtK.mean(List.of(new PassAtK.Tally(4, 4), new PassAtK.Tally(4, 0), new PassAtK.Tally(10, 3)), 1);
        assertEquals((1.0 + 0.0 + 0.3) / 3, mean, 1e-15);
        assertThrows(IllegalArgumentException.class, () -> PassAtK.mean(List.of(), 1));
    }

    @Property(tries = 300)
    void unbiased_equalsTheBinomialFormula(@ForAll @IntRange(min = 1, max = 60) int n,
            @ForAll @IntRange(min = 0, max = 60) int c, @ForAll @IntRange(min = 1, max = 60) int k) {
        if (c > n || k > n) {
            return;
        }
        double exact = 1 - new java.math.BigDecimal(binomial(n - c, k)).divide(new java.math.BigDecimal(binomial(n, k)),
                java.math.MathContext.DECIMAL64).doubleValue();
        assertEquals(exact, PassAtK.unbiased(n, c, k), 1e-12);
    }

    private static BigInteger binomial(int n, int k) {
        if (k > n) {
            return BigInteger.ZERO;
        }
        BigInteger r = BigInteger.ONE;
        for (int i = 0; i < k; i++) {
            r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return r;
    }
}
