package ai.redstar.data.geo;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A figure under construction in sketch coordinates (any scale, y up). {@link #fit(double)} scales it uniformly into
 * the unit image square with a margin and flips y; angles keep their values, since a uniform scale with a y flip
 * maps "counterclockwise with y up" to "counterclockwise as seen on the image". Arc radii, label distances and mark
 * sizes are given in unit image lengths (fractions of the side) so that they look the same whatever the sketch's scale.
 *
 * <p>Not thread-safe: one generator builds one sketch.
 */
final class Sketch {
    static final Color INK = Color.BLACK;

    private final List<Pt> extent = new ArrayList<>();
    private final List<Function<Frame, Mark>> marks = new ArrayList<>();

    /** Maps sketch coordinates to unit image coordinates. */
    record Frame(double centreX, double centreY, double scale) {
        Pt map(Pt p) {
            return new Pt(0.5 + (p.x() - centreX) * scale, 0.5 - (p.y() - centreY) * scale);
        }
    }

    Sketch segment(Pt a, Pt b) {
        return segment(a, b, INK);
    }

    Sketch segment(Pt a, Pt b, Color color) {
        extent.add(a);
        extent.add(b);
        marks.add(f -> new Mark.Segment(f.map(a), f.map(b), color));
        return this;
    }

    Sketch circle(Pt centre, double radius) {
        extent.add(centre.plus(new Pt(radius, radius)));
        extent.add(centre.minus(new Pt(radius, radius)));
        marks.add(f -> new Mark.Circle(f.map(centre), radius * f.scale()));
        return this;
    }

    /** A dot of {@code radius} unit image lengths. */
    Sketch dot(Pt at, double radius) {
        extent.add(at);
        marks.add(f -> new Mark.Dot(f.map(at), radius));
        return this;
    }

    /** The arc of the angle PVQ (the one under 180°) at V, of {@code radius} unit lengths. */
    Sketch angleArc(Pt v, Pt p, Pt q, double radius) {
        double start = p.minus(v).degrees();
        double extentDegrees = signedTurn(start, q.minus(v).degrees());
        marks.add(f -> new Mark.Arc(f.map(v), radius, start, extentDegrees));
        return this;
    }

    /** The right-angle square at V between VP and VQ, of {@code size} unit lengths. */
    Sketch rightAngle(Pt v, Pt p, Pt q, double size) {
        double a = p.minus(v).degrees();
        double b = q.minus(v).degrees();
        marks.add(f -> new Mark.RightAngle(f.map(v), size, a, b));
        return this;
    }

    /** A label inside the angle PVQ, on its bisector, at least {@code distance} unit lengths from V. */
    Sketch angleLabel(Pt v, Pt p, Pt q, String text, double distance) {
        double start = p.minus(v).degrees();
        double bisector = start + signedTurn(start, q.minus(v).degrees()) / 2;
        double half = Math.abs(signedTurn(start, q.minus(v).degrees())) / 2;
        marks.add(f -> new Mark.Label(text, f.map(v), bisector, distance, half, INK));
        return this;
    }

    /** A label whose nearest edge is {@code distance} unit lengths from {@code at} in the direction {@code degrees}. */
    Sketch label(Pt at, double degrees, double distance, String text, Color color) {
        marks.add(f -> new Mark.Label(text, f.map(at), degrees, distance, 0, color));
        return this;
    }

    /** A label beside the middle of segment AB, on the side away from {@code awayFrom}. */
    Sketch sideLabel(Pt a, Pt b, Pt awayFrom, String text, double distance, Color color) {
        Pt mid = a.towards(b, 0.5);
        Pt d = b.minus(a);
        Pt normal = new Pt(-d.y(), d.x());
        if (normal.x() * (awayFrom.x() - mid.x()) + normal.y() * (awayFrom.y() - mid.y()) > 0) {
            normal = normal.times(-1);
        }
        return label(mid, normal.degrees(), distance, text, color);
    }

    /** {@code count} short strokes across the middle of AB (equal-length marks), each {@code size} unit lengths. */
    Sketch ticks(Pt a, Pt b, int count, double size) {
        for (int i = 0; i < count; i++) {
            double along = (i - (count - 1) / 2.0) * size * 0.6;
            marks.add(f -> {
                Pt fa = f.map(a);
                Pt fb = f.map(b);
                Pt d = fb.minus(fa);
                Pt u = d.times(1 / d.length());
                Pt c = fa.towards(fb, 0.5).plus(u.times(along));
                Pt n = new Pt(-u.y(), u.x()).times(size / 2);
                return new Mark.Segment(c.minus(n), c.plus(n), INK);
            });
        }
        return this;
    }

    /** An arrowhead in the middle of AB pointing towards B (the mark of parallel lines), {@code size} unit lengths. */
    Sketch chevron(Pt a, Pt b, double size) {
        for (int side = -1; side <= 1; side += 2) {
            int s = side;
            marks.add(f -> {
                Pt fa = f.map(a);
                Pt fb = f.map(b);
                Pt d = fb.minus(fa);
                Pt u = d.times(1 / d.length());
                Pt tip = fa.towards(fb, 0.5).plus(u.times(size / 2));
                Pt n = new Pt(-u.y(), u.x());
                Pt tail = tip.minus(u.times(size)).plus(n.times(s * size * 0.6));
                return new Mark.Segment(tail, tip, INK);
            });
        }
        return this;
    }

    /** The marks fitted into the unit square, leaving {@code margin} on every side. */
    List<Mark> fit(double margin) {
        double minX = Double.POSITIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (Pt p : extent) {
            minX = Math.min(minX, p.x());
            minY = Math.min(minY, p.y());
            maxX = Math.max(maxX, p.x());
            maxY = Math.max(maxY, p.y());
        }
        double span = Math.max(maxX - minX, maxY - minY);
        if (!(span > 0)) {
            throw new IllegalStateException("a sketch needs at least two distinct points, got " + extent);
        }
        Frame frame = new Frame((minX + maxX) / 2, (minY + maxY) / 2, (1 - 2 * margin) / span);
        List<Mark> out = new ArrayList<>(marks.size());
        for (Function<Frame, Mark> m : marks) {
            out.add(m.apply(frame));
        }
        return out;
    }

    /** The turn from direction {@code from} to {@code to} in degrees, in (-180, 180]. */
    static double signedTurn(double from, double to) {
        double d = (to - from) % 360;
        if (d > 180) {
            d -= 360;
        } else if (d <= -180) {
            d += 360;
        }
        return d;
    }
}
