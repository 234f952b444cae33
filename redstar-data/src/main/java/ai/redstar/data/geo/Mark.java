package ai.redstar.data.geo;

import java.awt.Color;

/**
 * One drawn element of a {@link GeoFigure}, in unit image coordinates: (0, 0) is the top-left corner, (1, 1) the
 * bottom-right; lengths are fractions of the image side. Angles are in degrees counterclockwise as seen on the image
 * (0 = right, 90 = up), as {@link java.awt.geom.Arc2D} takes them.
 */
sealed interface Mark permits Mark.Segment, Mark.Circle, Mark.Dot, Mark.Arc, Mark.RightAngle, Mark.Label {

    /** A straight stroke. */
    record Segment(Pt from, Pt to, Color color) implements Mark {}

    /** A circle outline. */
    record Circle(Pt centre, double radius) implements Mark {}

    /** A filled dot (a point of the figure). */
    record Dot(Pt at, double radius) implements Mark {}

    /** An angle's arc at {@code vertex}, from {@code startDegrees} over {@code extentDegrees} (signed). */
    record Arc(Pt vertex, double radius, double startDegrees, double extentDegrees) implements Mark {}

    /** The small square marking a right angle at {@code vertex} between two directions. */
    record RightAngle(Pt vertex, double size, double firstDegrees, double secondDegrees) implements Mark {}

    /**
     * A text placed from {@code anchor} in the direction {@code degrees}, its distance chosen at drawing time from
     * the text's size: with {@code halfAngle > 0} the label sits inside an angle of twice that opening (clear of both
     * arms and at least {@code gap} from the vertex); with {@code halfAngle == 0} its nearest edge is {@code gap}
     * from the anchor. Moved inwards when it would cross the image border.
     */
    record Label(String text, Pt anchor, double degrees, double gap, double halfAngle, Color color) implements Mark {}
}
