package ai.redstar.data.geo;

import java.util.List;
import java.util.Optional;

/**
 * The kinds of geometry problems, by difficulty level.
 *
 * <ul>
 *   <li>Level 1 reads one salient visual property (no numbers): the options are fixed per kind and always in the same
 *       order, so a model only maps the image to a letter.</li>
 *   <li>Level 2 reads labelled values in the figure and applies one rule; the options (the answer and three
 *       plausible mistakes) are shuffled by the seed.</li>
 *   <li>Level 3 chains two or three rules; options shuffled as at level 2.</li>
 * </ul>
 * The values needed are only in the image; the question text of a kind never changes.
 */
public enum GeoKind {
    /** Is the marked angle acute, right, obtuse or straight? */
    ANGLE_TYPE(1, "In the figure, what type of angle is the marked angle?",
            List.of("acute", "right", "obtuse", "straight")),
    /** Which of the sides a, b, c (drawn in red, green, blue) of a triangle is longest, or are all equal? */
    LONGEST_SIDE(1, "In the figure, which labelled side of the triangle is the longest?",
            List.of("side a", "side b", "side c", "all sides are equal")),
    /** How many parallel lines does the transversal cross (2 to 5)? */
    PARALLEL_COUNT(1, "In the figure, how many parallel lines does the transversal cross?",
            List.of("2", "3", "4", "5")),
    /** Is the marked point inside, on, or outside the circle, or at its centre? */
    POINT_IN_CIRCLE(1, "In the figure, where is the marked point relative to the circle?",
            List.of("inside the circle, not at its centre", "on the circle", "outside the circle",
                    "at the centre of the circle")),
    /** The third angle of a triangle with two labelled angles. */
    TRIANGLE_ANGLE_SUM(2, "In the figure, what is the measure of angle x?", List.of()),
    /** Two parallel lines cut by a transversal: corresponding, alternate interior or co-interior angles. */
    PARALLEL_LINES_ANGLE(2, "In the figure, the lines marked with arrows are parallel. What is the measure of angle x?",
            List.of()),
    /** Inscribed angle from central angle or back (the inscribed angle is half the central angle on the same arc). */
    INSCRIBED_ANGLE(2, "In the figure, the dot marks the centre of the circle. What is the measure of angle x?", List.of()),
    /** An isosceles triangle: a base angle from the apex angle, the apex from a base angle, or the other base angle. */
    ISOSCELES_ANGLE(2, "In the figure, the sides with tick marks are equal. What is the measure of angle x?",
            List.of()),
    /** A side of a right triangle from the other two (Pythagorean triples). */
    PYTHAGORAS(2, "In the figure, what is the length of the side marked x?", List.of()),
    /** A triangle cut by a segment parallel to its base: a corresponding angle, then the angle sum. */
    PARALLEL_IN_TRIANGLE(3, "In the figure, the segments marked with arrows are parallel. What is the measure of angle x?",
            List.of()),
    /** A triangle inscribed in a circle on a diameter: Thales' right angle, then the angle sum. */
    THALES_ANGLE(3, "In the figure, the dot marks the centre of the circle. What is the measure of angle x?", List.of()),
    /** An exterior angle of an isosceles triangle from its apex angle: base angles, then the straight angle. */
    ISOSCELES_EXTERIOR(3, "In the figure, the sides with tick marks are equal. What is the measure of angle x?",
            List.of()),
    /** The area of a right triangle from its hypotenuse and one leg: Pythagoras, then half the product of the legs. */
    RIGHT_TRIANGLE_AREA(3, "In the figure, what is the area of the right triangle?", List.of());

    private final int level;
    private final String question;
    private final List<String> fixedChoices;

    GeoKind(int level, String question, List<String> fixedChoices) {
        this.level = level;
        this.question = question;
        this.fixedChoices = fixedChoices;
    }

    /** The difficulty level, 1 to 3. */
    public int level() {
        return level;
    }

    /** The question, the same for every problem of this kind (the figure holds everything else). */
    public String question() {
        return question;
    }

    /** The options A to D in their fixed order, for level 1 kinds; empty for shuffled kinds. */
    public Optional<List<String>> fixedChoices() {
        return fixedChoices.isEmpty() ? Optional.empty() : Optional.of(fixedChoices);
    }

    /** The kinds of one level, in declaration order. */
    public static List<GeoKind> ofLevel(int level) {
        return java.util.Arrays.stream(values()).filter(k -> k.level == level).toList();
    }
}
