package ai.redstar.verify.math;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The 64-digit evaluator against 50-digit reference values computed with sympy. */
class PreciseTest {

    private static final Map<String, String> REFERENCE = Map.ofEntries(
            Map.entry("\\sin(1)", "0.84147098480789650665250232163029899962256306079837"),
            Map.entry("\\cos(10)", "-0.83907152907645245225886394782406483451993016513317"),
            Map.entry("\\ln(10)", "2.3025850929940456840179914546843642076011014886288"),
            Map.entry("e^{2}", "7.3890560989306502272304274605750078131803155705518"),
            Map.entry("\\exp(-30)", "9.3576229688401746049158322233787067449583226889359E-14"),
            Map.entry("\\arctan(3)", "1.2490457723982544258299170772810901230778294041299"),
            Map.entry("\\arcsin(0.3)", "0.30469265401539750797200296122752916695456003170678"),
            Map.entry("\\sqrt{2}", "1.4142135623730950488016887242096980785696718753769"),
            Map.entry("\\sqrt[3]{-7}", "-1.9129311827723891011991168395487602828624390503459"),
            Map.entry("\\log_{3}(81)", "4.0000000000000000000000000000000000000000000000000"),
            Map.entry("2^{\\frac{1}{3}}", "1.2599210498948731647672106072782283505702514647015"),
            Map.entry("\\tan(2)", "-2.1850398632615189916433061023136825434320177462277"),
            Map.entry("\\ln(10^{20}+1) - \\ln(10^{20})", "9.9999999999999999999500000000000000000003333333333E-21"),
            Map.entry("\\sqrt{10^{40}+1} - 10^{20}", "4.9999999999999999999999999999999999999998750000000E-21"),
            Map.entry("\\arccos(-0.5)", "2.0943951023931954923084289221863352561314462662501"));

    private static BigDecimal evaluate(String expression) {
        Budget budget = Budget.ofNanos(1_000_000_000L);
        Node node = Parser.parse(expression, budget).node();
        return new Precise(budget, new Evaluator(budget)).value(node, Map.of());
    }

    @Test
    void value_matchesFiftyDigitReferences() {
        REFERENCE.forEach((expression, expected) -> {
            BigDecimal actual = evaluate(expression);
            assertNotNull(actual, expression);
            BigDecimal reference = new BigDecimal(expected);
            BigDecimal error = actual.subtract(reference).abs();
            // 45 digits relative, or 1e-55 absolute after the cancellations (intermediates of 1e20 at 80 digits)
            BigDecimal allowed = reference.abs().multiply(BigDecimal.ONE.movePointLeft(45)).max(BigDecimal.ONE.movePointLeft(55));
            assertTrue(error.compareTo(allowed) <= 0, () -> expression + " = " + actual.round(new MathContext(55))
                    + ", expected " + expected);
        });
    }

    @Test
    void value_outsideTheRealDomain_isNull() {
        assertNull(evaluate("\\sqrt{-2}"));
        assertNull(evaluate("\\ln(-1)"));
        assertNull(evaluate("3 + 2i"));
        assertNull(evaluate("\\sin(10^{9})"));
    }
}
