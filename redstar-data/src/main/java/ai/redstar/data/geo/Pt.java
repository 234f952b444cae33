package ai.redstar.data.geo;

/** A point (or vector) of a sketch: x to the right, y up in sketch coordinates, y down once fitted to the image. */
record Pt(double x, double y) {

    Pt plus(Pt o) {
        return new Pt(x + o.x, y + o.y);
    }

    Pt minus(Pt o) {
        return new Pt(x - o.x, y - o.y);
    }

    Pt times(double k) {
        return new Pt(x * k, y * k);
    }

    double length() {
        return Math.hypot(x, y);
    }

    double distance(Pt o) {
        return minus(o).length();
    }

    /** The point {@code t} of the way from this point to {@code o}. */
    Pt towards(Pt o, double t) {
        return new Pt(x + (o.x - x) * t, y + (o.y - y) * t);
    }

    /** The unit vector at {@code degrees} counterclockwise from the x axis (y up). */
    static Pt polar(double degrees) {
        double r = Math.toRadians(degrees);
        return new Pt(Math.cos(r), Math.sin(r));
    }

    /** The direction of this vector in degrees counterclockwise from the x axis (y up), in (-180, 180]. */
    double degrees() {
        return Math.toDegrees(Math.atan2(y, x));
    }
}
