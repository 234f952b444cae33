package ai.redstar.verify.math;

/**
 * What units of measure ({@code cm}, {@code \text{ dollars}}, {@code \mathrm{kg}}) mean for equality. Units are
 * always stripped before the values are compared; the policy only decides whether they must also agree.
 * Spellings are unified first ({@code cm} = {@code centimeters}); no conversion between units is attempted.
 */
public enum UnitPolicy {
    /** Units are ignored: {@code 5 cm} equals {@code 5} and {@code 5 m} (default; gold answers rarely carry units). */
    IGNORE,
    /** When both answers name units they must name the same ones: {@code 5 cm} differs from {@code 5 m}. */
    MATCH_IF_BOTH_GIVEN,
    /** Both answers must name the same units, none being one possibility: {@code 5 cm} differs from {@code 5}. */
    REQUIRE_SAME
}
