package ai.redstar.data.geo;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The generators of every {@link GeoKind}: each draws a random figure in sketch coordinates and writes what it shows,
 * the correct steps and plausible mistakes. Figures are drawn to scale (angles and lengths as labelled).
 */
final class Drafts {
    /** Space left around a fitted figure, as a fraction of the image side. */
    static final double MARGIN = 0.12;
    private static final double ARC = 0.07;
    private static final double DOT = 0.022;
    private static final Color RED = new Color(210, 0, 0);
    private static final Color GREEN = new Color(0, 150, 0);
    private static final Color BLUE = new Color(0, 0, 230);

    private Drafts() {
    }

    static Draft draft(GeoKind kind, SplittableRandom rng) {
        return switch (kind) {
            case ANGLE_TYPE -> angleType(rng);
            case LONGEST_SIDE -> longestSide(rng);
            case PARALLEL_COUNT -> parallelCount(rng);
            case POINT_IN_CIRCLE -> pointInCircle(rng);
            case TRIANGLE_ANGLE_SUM -> triangleAngleSum(rng);
            case PARALLEL_LINES_ANGLE -> parallelLinesAngle(rng);
            case INSCRIBED_ANGLE -> inscribedAngle(rng);
            case ISOSCELES_ANGLE -> isoscelesAngle(rng);
            case PYTHAGORAS -> pythagoras(rng);
            case PARALLEL_IN_TRIANGLE -> parallelInTriangle(rng);
            case THALES_ANGLE -> thalesAngle(rng);
            case ISOSCELES_EXTERIOR -> isoscelesExterior(rng);
            case RIGHT_TRIANGLE_AREA -> rightTriangleArea(rng);
        };
    }

    // ------------------------------------------------------------------------------------------- level 1

    private static Draft angleType(SplittableRandom rng) {
        int type = rng.nextInt(4);
        int angle = switch (type) {
            case 0 -> 25 + 5 * rng.nextInt(9);
            case 1 -> 90;
            case 2 -> 115 + 5 * rng.nextInt(9);
            default -> 180;
        };
        double phi = rng.nextInt(360);
        Pt v = new Pt(0, 0);
        Pt p = Pt.polar(phi);
        Pt q = Pt.polar(phi + angle);
        Sketch s = new Sketch().segment(v, p).segment(v, q).dot(v, DOT);
        if (type == 1) {
            s.rightAngle(v, p, q, 0.12);
        } else {
            s.angleArc(v, p, q, 0.16);
        }
        List<String> claims = List.of(
                "The opening of the marked angle is narrower than a square corner, so it is less than 90°: acute.",
                "The marked angle has the small square of a right angle: it is exactly 90°, a right angle.",
                "The opening is wider than a square corner, but the two rays do not form a line: it is between 90°"
                        + " and 180°, obtuse.",
                "The two rays point in opposite directions and form one straight line: the angle is 180°, straight.");
        return fixed(GeoKind.ANGLE_TYPE, s.fit(MARGIN),
                "The figure shows two rays from a common vertex, with the angle between them marked.", claims, type);
    }

    private static Draft longestSide(SplittableRandom rng) {
        boolean equilateral = rng.nextInt(4) == 0;
        Pt[] t = new Pt[3];
        double phi = rng.nextInt(360);
        int longest = -1; // index i of side opposite vertex i
        if (equilateral) {
            for (int i = 0; i < 3; i++) {
                t[i] = Pt.polar(phi + 120 * i);
            }
        } else {
            while (true) {
                t[0] = new Pt(0, 0);
                t[1] = new Pt(1, 0);
                t[2] = new Pt(-0.2 + 1.4 * rng.nextDouble(), 0.35 + 0.65 * rng.nextDouble());
                double[] len = sides(t);
                int max = len[0] >= len[1] ? (len[0] >= len[2] ? 0 : 2) : (len[1] >= len[2] ? 1 : 2);
                double second = Math.max(len[(max + 1) % 3], len[(max + 2) % 3]);
                if (len[max] >= 1.2 * second) {
                    longest = max;
                    break;
                }
            }
            Pose pose = new Pose(phi, false);
            for (int i = 0; i < 3; i++) {
                t[i] = pose.apply(t[i]);
            }
        }
        // name[i] is the letter index (0 = a) of the side opposite vertex i
        int[] name = permutation(rng, 3);
        Color[] colours = {RED, GREEN, BLUE};
        String[] letters = {"a", "b", "c"};
        Sketch s = new Sketch();
        for (int i = 0; i < 3; i++) {
            Pt a = t[(i + 1) % 3];
            Pt b = t[(i + 2) % 3];
            s.segment(a, b, colours[name[i]]);
        }
        for (int i = 0; i < 3; i++) {
            s.sideLabel(t[(i + 1) % 3], t[(i + 2) % 3], t[i], letters[name[i]], 0.08, colours[name[i]]);
        }
        List<String> claims = new ArrayList<>();
        for (String l : letters) {
            claims.add("Comparing the three coloured sides, side " + l + " is clearly longer than the other two.");
        }
        claims.add("The three sides have the same length: the triangle is equilateral, so all sides are equal.");
        return fixed(GeoKind.LONGEST_SIDE, s.fit(MARGIN),
                "The figure shows a triangle whose sides are labelled a, b and c (drawn in red, green and blue).",
                claims, equilateral ? 3 : name[longest]);
    }

    private static Draft parallelCount(SplittableRandom rng) {
        int count = 2 + rng.nextInt(4);
        double phi = rng.nextInt(180);
        double cross = (rng.nextBoolean() ? 40 : 100) + rng.nextInt(41);
        Pt d = Pt.polar(phi);
        Pt n = Pt.polar(phi + 90);
        double spacing = 0.24;
        double half = 0.6;
        Sketch s = new Sketch();
        for (int i = 0; i < count; i++) {
            Pt c = n.times((i - (count - 1) / 2.0) * spacing);
            s.segment(c.minus(d.times(half)), c.plus(d.times(half)));
        }
        double reach = ((count - 1) * spacing / 2 + 0.14) / Math.abs(Math.sin(Math.toRadians(cross)));
        Pt t = Pt.polar(phi + cross);
        s.segment(t.times(-reach), t.times(reach));
        List<String> claims = new ArrayList<>();
        for (int k = 2; k <= 5; k++) {
            claims.add("All lines but one have the same direction; counting them, the transversal crosses " + k
                    + " parallel lines.");
        }
        return fixed(GeoKind.PARALLEL_COUNT, s.fit(MARGIN),
                "The figure shows a set of lines with the same direction and one line (the transversal) crossing"
                        + " them.", claims, count - 2);
    }

    private static Draft pointInCircle(SplittableRandom rng) {
        int where = rng.nextInt(4);
        double distance = switch (where) {
            case 0 -> 0.35 + 0.35 * rng.nextDouble();
            case 1 -> 1.0;
            case 2 -> 1.3 + 0.2 * rng.nextDouble();
            default -> 0.0;
        };
        Pt o = new Pt(0, 0);
        Pt p = Pt.polar(rng.nextInt(360)).times(distance);
        Sketch s = new Sketch().circle(o, 1).dot(p, 0.04);
        List<String> claims = List.of(
                "The dot lies within the circle but clearly away from its middle: inside the circle, not at its"
                        + " centre.",
                "The dot sits exactly on the circle's outline: it is on the circle.",
                "The dot lies beyond the circle's outline: it is outside the circle.",
                "The dot is in the very middle of the circle: it is at the centre.");
        return fixed(GeoKind.POINT_IN_CIRCLE, s.fit(MARGIN),
                "The figure shows a circle and one marked point (a dot).", claims, where);
    }

    private static Draft fixed(GeoKind kind, List<Mark> marks, String reading, List<String> claims, int answer) {
        List<String> options = kind.fixedChoices().orElseThrow();
        List<Draft.Wrong> wrongs = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) {
            if (i != answer) {
                wrongs.add(new Draft.Wrong(options.get(i), List.of(claims.get(i))));
            }
        }
        return new Draft(kind, marks, reading, List.of(claims.get(answer)), options.get(answer), wrongs);
    }

    // ------------------------------------------------------------------------------------------- level 2

    private static Draft triangleAngleSum(SplittableRandom rng) {
        int[] angle = new int[3];
        do {
            angle[0] = 30 + 5 * rng.nextInt(14);
            angle[1] = 30 + 5 * rng.nextInt(14);
            angle[2] = 180 - angle[0] - angle[1];
        } while (angle[2] < 25);
        Pt[] t = triangle(angle[0], angle[1], new Pose(rng.nextInt(360), rng.nextBoolean()));
        int x = rng.nextInt(3);
        int p = angle[(x + 1) % 3];
        int q = angle[(x + 2) % 3];
        Sketch s = triangleSketch(t);
        for (int i = 0; i < 3; i++) {
            angleMark(s, t, i, i == x ? "x" : deg(angle[i]), angle[i]);
        }
        int ans = angle[x];
        Wrongs w = new Wrongs(ans, 180, "°");
        w.add(p + q, "The angle x is the sum of the other two: x = " + p + "° + " + q + "° = " + (p + q) + "°.");
        w.add(360 - p - q, "The angles of a triangle add up to 360°, so x = 360° − " + p + "° − " + q + "° = "
                + (360 - p - q) + "°.");
        w.add(180 - p, "x and the " + deg(p) + " angle add up to 180°, so x = 180° − " + p + "° = " + (180 - p) + "°.");
        w.add(180 - q, "x and the " + deg(q) + " angle add up to 180°, so x = 180° − " + q + "° = " + (180 - q) + "°.");
        w.add(Math.abs(p - q), "x is the difference of the other two angles: x = " + Math.max(p, q) + "° − "
                + Math.min(p, q) + "° = " + Math.abs(p - q) + "°.");
        w.fallback(rng);
        return new Draft(GeoKind.TRIANGLE_ANGLE_SUM, s.fit(MARGIN),
                "The figure shows a triangle with two angles labelled " + deg(p) + " and " + deg(q)
                        + "; the third angle is marked x.",
                List.of("The three angles of a triangle add up to 180°.",
                        "So x = 180° − " + p + "° − " + q + "° = " + ans + "°.",
                        "Check: " + p + "° + " + q + "° + " + ans + "° = 180°."),
                deg(ans), w.list());
    }

    /** Positions of the four angles at a crossing, by the directions (line, transversal) bounding them. */
    private enum Corner { UPPER_RIGHT, UPPER_LEFT, LOWER_LEFT, LOWER_RIGHT }

    private static Draft parallelLinesAngle(SplittableRandom rng) {
        int theta;
        do {
            theta = 35 + 5 * rng.nextInt(23);
        } while (Math.abs(theta - 90) < 15);
        double h = 0.35;
        double cot = 1 / Math.tan(Math.toRadians(theta));
        Pose pose = new Pose(rng.nextInt(41) - 20, false);
        Pt top = new Pt(h * cot, h);
        Pt bottom = new Pt(-h * cot, -h);
        Pt u = Pt.polar(theta);
        // relation: 0 corresponding, 1 alternate interior, 2 co-interior
        int relation = rng.nextInt(3);
        Corner at;
        Corner other;
        switch (relation) {
            case 0 -> {
                at = Corner.values()[rng.nextInt(4)];
                other = at;
            }
            case 1 -> {
                at = rng.nextBoolean() ? Corner.LOWER_LEFT : Corner.LOWER_RIGHT;
                other = at == Corner.LOWER_LEFT ? Corner.UPPER_RIGHT : Corner.UPPER_LEFT;
            }
            default -> {
                at = rng.nextBoolean() ? Corner.LOWER_LEFT : Corner.LOWER_RIGHT;
                other = at == Corner.LOWER_LEFT ? Corner.UPPER_LEFT : Corner.UPPER_RIGHT;
            }
        }
        boolean labelTop = rng.nextBoolean();
        int given = cornerAngle(labelTop ? at : other, theta);
        int ans = cornerAngle(labelTop ? other : at, theta);
        Sketch s = new Sketch();
        double reach = 0.95;
        for (Pt c : new Pt[] {top, bottom}) {
            Pt a = pose.apply(new Pt(-reach, c.y()));
            Pt b = pose.apply(new Pt(reach, c.y()));
            s.segment(a, b).chevron(a, b, 0.05);
        }
        s.segment(pose.apply(bottom.minus(u.times(0.35))), pose.apply(top.plus(u.times(0.35))));
        cornerMark(s, pose, top, theta, labelTop ? at : other, labelTop ? deg(given) : "x");
        cornerMark(s, pose, bottom, theta, labelTop ? other : at, labelTop ? "x" : deg(given));
        String[] names = {"corresponding angles", "alternate interior angles", "co-interior angles"};
        String rule = switch (relation) {
            case 0 -> "x and the " + deg(given) + " angle are corresponding angles (the same position at each"
                    + " crossing), and corresponding angles on parallel lines are equal.";
            case 1 -> "x and the " + deg(given) + " angle are alternate interior angles (between the parallel"
                    + " lines, on opposite sides of the transversal), and alternate interior angles are equal.";
            default -> "x and the " + deg(given) + " angle are co-interior angles (between the parallel lines, on"
                    + " the same side of the transversal), and co-interior angles add up to 180°.";
        };
        String result = relation == 2 ? "So x = 180° − " + given + "° = " + ans + "°." : "So x = " + ans + "°.";
        Wrongs w = new Wrongs(ans, 180, "°");
        if (relation == 2) {
            w.add(given, "x and the " + deg(given) + " angle are alternate angles, which are equal: x = " + given
                    + "°.");
        } else {
            w.add(180 - given, "x and the " + deg(given) + " angle are " + names[2] + ", which add up to 180°: x = 180° − "
                    + given + "° = " + (180 - given) + "°.");
        }
        w.add(90 - given, "x and the " + deg(given) + " angle are complementary: x = 90° − " + given + "° = "
                + (90 - given) + "°.");
        w.add(2 * given, "x is twice the labelled angle: x = 2 × " + given + "° = " + (2 * given) + "°.");
        w.add(360 - given, "x and the labelled angle make a full turn: x = 360° − " + given + "° = " + (360 - given)
                + "°.");
        w.add(given - 90, "x is the labelled angle minus a right angle: x = " + given + "° − 90° = " + (given - 90)
                + "°.");
        w.fallback(rng);
        return new Draft(GeoKind.PARALLEL_LINES_ANGLE, s.fit(MARGIN),
                "The figure shows two parallel lines (marked with arrows) cut by a transversal; one angle is labelled "
                        + deg(given) + " and another, at the other crossing, is marked x.",
                List.of(rule, result, "Check: the angles at one crossing are " + theta + "° and " + (180 - theta)
                        + "°, and x = " + ans + "° is one of them."),
                deg(ans), w.list());
    }

    private static int cornerAngle(Corner c, int theta) {
        return c == Corner.UPPER_RIGHT || c == Corner.LOWER_LEFT ? theta : 180 - theta;
    }

    private static void cornerMark(Sketch s, Pose pose, Pt v, int theta, Corner c, String label) {
        double first;
        double second;
        switch (c) {
            case UPPER_RIGHT -> {
                first = 0;
                second = theta;
            }
            case UPPER_LEFT -> {
                first = theta;
                second = 180;
            }
            case LOWER_LEFT -> {
                first = 180;
                second = theta + 180;
            }
            default -> {
                first = theta + 180;
                second = 360;
            }
        }
        Pt pv = pose.apply(v);
        Pt a = pose.apply(v.plus(Pt.polar(first).times(0.2)));
        Pt b = pose.apply(v.plus(Pt.polar(second).times(0.2)));
        s.angleArc(pv, a, b, ARC);
        s.angleLabel(pv, a, b, label, labelDistance(cornerAngle(c, theta)));
    }

    private static Draft inscribedAngle(SplittableRandom rng) {
        int central = 40 + 10 * rng.nextInt(13);
        int inscribed = central / 2;
        double rot = rng.nextInt(360);
        Pt o = new Pt(0, 0);
        Pt a = Pt.polar(rot - 90 - central / 2.0);
        Pt b = Pt.polar(rot - 90 + central / 2.0);
        Pt p = Pt.polar(rot + 90 + rng.nextInt(61) - 30);
        boolean askInscribed = rng.nextBoolean();
        Sketch s = new Sketch().circle(o, 1).segment(o, a).segment(o, b).segment(p, a).segment(p, b).dot(o, DOT);
        s.angleArc(o, a, b, ARC).angleLabel(o, a, b, askInscribed ? deg(central) : "x", labelDistance(central));
        s.angleArc(p, a, b, ARC).angleLabel(p, a, b, askInscribed ? "x" : deg(inscribed), labelDistance(inscribed));
        Wrongs w;
        List<String> steps;
        int ans;
        if (askInscribed) {
            ans = inscribed;
            w = new Wrongs(ans, 180, "°");
            w.add(central, "An inscribed angle equals the central angle on the same arc: x = " + central + "°.");
            w.add(2 * central, "An inscribed angle is twice the central angle on the same arc: x = 2 × " + central
                    + "° = " + (2 * central) + "°.");
            w.add(180 - inscribed, "x is supplementary to half the central angle: x = 180° − " + inscribed + "° = "
                    + (180 - inscribed) + "°.");
            w.add(180 - central, "x and the central angle add up to 180°: x = 180° − " + central + "° = "
                    + (180 - central) + "°.");
            w.add(90 - inscribed, "x is 90° minus half the central angle: x = 90° − " + inscribed + "° = "
                    + (90 - inscribed) + "°.");
            steps = List.of("x is an inscribed angle and the " + deg(central) + " angle at O is the central angle on"
                            + " the same arc.",
                    "An inscribed angle is half the central angle on the same arc: x = " + central + "° ÷ 2 = " + ans
                            + "°.",
                    "Check: 2 × " + ans + "° = " + central + "°.");
        } else {
            ans = central;
            w = new Wrongs(ans, 360, "°");
            w.add(inscribed, "The central angle equals the inscribed angle on the same arc: x = " + inscribed + "°.");
            if (inscribed % 10 == 0) {
                w.add(inscribed / 2, "The central angle is half the inscribed angle: x = " + inscribed + "° ÷ 2 = "
                        + (inscribed / 2) + "°.");
            }
            w.add(180 - inscribed, "x and the inscribed angle add up to 180°: x = 180° − " + inscribed + "° = "
                    + (180 - inscribed) + "°.");
            w.add(180 - central, "x is 180° minus twice the inscribed angle: x = 180° − " + central + "° = "
                    + (180 - central) + "°.");
            w.add(360 - central, "x is the reflex angle: x = 360° − 2 × " + inscribed + "° = " + (360 - central)
                    + "°.");
            steps = List.of("x is the central angle at O and the " + deg(inscribed) + " angle is an inscribed angle"
                            + " on the same arc.",
                    "A central angle is twice the inscribed angle on the same arc: x = 2 × " + inscribed + "° = "
                            + ans + "°.",
                    "Check: " + ans + "° ÷ 2 = " + inscribed + "°.");
        }
        w.fallback(rng);
        return new Draft(GeoKind.INSCRIBED_ANGLE, s.fit(MARGIN),
                "The figure shows a circle with its centre O marked by a dot, a central angle at O and an inscribed angle on the same arc;"
                        + " one is labelled " + deg(askInscribed ? central : inscribed) + " and the other is marked x.",
                steps, deg(ans), w.list());
    }

    private static Draft isoscelesAngle(SplittableRandom rng) {
        int apex = 20 + 10 * rng.nextInt(13);
        int base = (180 - apex) / 2;
        Pt[] t = isosceles(base, new Pose(rng.nextInt(51) - 25, false));
        Sketch s = triangleSketch(t).ticks(t[0], t[1], 1, 0.05).ticks(t[0], t[2], 1, 0.05);
        int mode = rng.nextInt(3); // 0: base from apex, 1: apex from base, 2: base from base
        int side = 1 + rng.nextInt(2);
        int[] angles = {apex, base, base};
        String[] labels = new String[3];
        int ans;
        Wrongs w;
        List<String> steps;
        String reading;
        switch (mode) {
            case 0 -> {
                labels[0] = deg(apex);
                labels[side] = "x";
                ans = base;
                w = new Wrongs(ans, 180, "°");
                w.add(180 - apex, "x = 180° − " + apex + "° = " + (180 - apex) + "° (forgetting that two base angles"
                        + " share it).");
                w.add(apex, "In an isosceles triangle the base angle equals the apex angle: x = " + apex + "°.");
                w.add(90 - apex, "x = 90° − " + apex + "° = " + (90 - apex) + "°.");
                w.add(180 - 2 * apex, "x = 180° − 2 × " + apex + "° = " + (180 - 2 * apex) + "°.");
                reading = "The figure shows a triangle with two equal sides (tick marks); the angle between them is"
                        + " labelled " + deg(apex) + " and a base angle is marked x.";
                steps = List.of("The sides with tick marks are equal, so the two base angles are equal.",
                        "The angles add up to 180°: 2x + " + apex + "° = 180°, so x = (180° − " + apex + "°) ÷ 2 = "
                                + ans + "°.",
                        "Check: " + apex + "° + " + ans + "° + " + ans + "° = 180°.");
            }
            case 1 -> {
                labels[side] = deg(base);
                labels[0] = "x";
                ans = apex;
                w = new Wrongs(ans, 180, "°");
                w.add(180 - base, "x = 180° − " + base + "° = " + (180 - base) + "° (using one base angle only).");
                w.add(base, "All angles of an isosceles triangle are equal: x = " + base + "°.");
                w.add(90 - base, "x = 90° − " + base + "° = " + (90 - base) + "°.");
                w.add(2 * base, "x is twice the base angle: x = 2 × " + base + "° = " + (2 * base) + "°.");
                reading = "The figure shows a triangle with two equal sides (tick marks); a base angle is labelled "
                        + deg(base) + " and the angle between the equal sides is marked x.";
                steps = List.of("The sides with tick marks are equal, so both base angles are " + base + "°.",
                        "The angles add up to 180°: x = 180° − 2 × " + base + "° = " + ans + "°.",
                        "Check: " + ans + "° + " + base + "° + " + base + "° = 180°.");
            }
            default -> {
                labels[side] = deg(base);
                labels[3 - side] = "x";
                ans = base;
                w = new Wrongs(ans, 180, "°");
                w.add(apex, "x is the angle left over: x = 180° − 2 × " + base + "° = " + apex + "°.");
                w.add(180 - base, "x and the labelled angle add up to 180°: x = 180° − " + base + "° = "
                        + (180 - base) + "°.");
                w.add(90 - base, "x and the labelled angle are complementary: x = 90° − " + base + "° = "
                        + (90 - base) + "°.");
                w.add(2 * base, "x is twice the labelled angle: x = " + (2 * base) + "°.");
                reading = "The figure shows a triangle with two equal sides (tick marks); one base angle is labelled "
                        + deg(base) + " and the other base angle is marked x.";
                steps = List.of("The sides with tick marks are equal, so the angles opposite them (the base angles)"
                                + " are equal.",
                        "So x = " + ans + "°.",
                        "Check: the third angle is 180° − 2 × " + base + "° = " + apex + "°, which is positive.");
            }
        }
        for (int i = 0; i < 3; i++) {
            if (labels[i] != null) {
                angleMark(s, t, i, labels[i], angles[i]);
            }
        }
        w.fallback(rng);
        return new Draft(GeoKind.ISOSCELES_ANGLE, s.fit(MARGIN), reading, steps, deg(ans), w.list());
    }

    private static final int[][] TRIPLES = {
        {3, 4, 5}, {6, 8, 10}, {5, 12, 13}, {8, 15, 17}, {7, 24, 25}, {9, 12, 15}, {12, 16, 20}, {20, 21, 29},
        {9, 40, 41}, {15, 20, 25}, {10, 24, 26}, {12, 35, 37}
    };

    private static Draft pythagoras(SplittableRandom rng) {
        int[] triple = TRIPLES[rng.nextInt(TRIPLES.length)];
        boolean swap = rng.nextBoolean();
        int p = swap ? triple[1] : triple[0];
        int q = swap ? triple[0] : triple[1];
        int c = triple[2];
        Pt[] t = rightTriangle(p, q, new Pose(rng.nextInt(360), rng.nextBoolean()));
        boolean askHypotenuse = rng.nextBoolean();
        Sketch s = triangleSketch(t).rightAngle(t[0], t[1], t[2], 0.06);
        s.sideLabel(t[0], t[1], t[2], Integer.toString(p), 0.07, Sketch.INK);
        s.sideLabel(t[0], t[2], t[1], askHypotenuse ? Integer.toString(q) : "x", 0.07, Sketch.INK);
        s.sideLabel(t[1], t[2], t[0], askHypotenuse ? "x" : Integer.toString(c), 0.07, Sketch.INK);
        int ans;
        Wrongs w;
        List<String> steps;
        String reading;
        if (askHypotenuse) {
            ans = c;
            w = new Wrongs(ans, Integer.MAX_VALUE, "");
            w.add(p + q, "The hypotenuse is the sum of the legs: x = " + p + " + " + q + " = " + (p + q) + ".");
            w.add(p * p + q * q, "x = " + p + "² + " + q + "² = " + (p * p + q * q) + ".");
            w.add(Math.abs(q - p), "x is the difference of the legs: x = " + Math.max(p, q) + " − " + Math.min(p, q)
                    + " = " + Math.abs(q - p) + ".");
            w.add(c + 1, "x = √(" + p + "² + " + q + "²) ≈ " + (c + 1) + ".");
            reading = "The figure shows a right triangle (square mark) with legs labelled " + p + " and " + q
                    + "; the hypotenuse is marked x.";
            steps = List.of("By Pythagoras' theorem the square of the hypotenuse is the sum of the squares of the"
                            + " legs: x² = " + p + "² + " + q + "² = " + (p * p) + " + " + (q * q) + " = " + (c * c)
                            + ".",
                    "So x = √" + (c * c) + " = " + c + ".",
                    "Check: " + c + " is longer than both legs, as a hypotenuse must be.");
        } else {
            ans = q;
            w = new Wrongs(ans, Integer.MAX_VALUE, "");
            w.add(c - p, "x = " + c + " − " + p + " = " + (c - p) + ".");
            w.add(c + p, "x² = " + c + "² + " + p + "², so x ≈ " + (c + p) + ".");
            w.add(c * c - p * p, "x = " + c + "² − " + p + "² = " + (c * c - p * p) + ".");
            w.add(q + 1, "x = √(" + c + "² − " + p + "²) ≈ " + (q + 1) + ".");
            reading = "The figure shows a right triangle (square mark) with a leg labelled " + p
                    + " and the hypotenuse labelled " + c + "; the other leg is marked x.";
            steps = List.of("By Pythagoras' theorem x² + " + p + "² = " + c + "², so x² = " + (c * c) + " − "
                            + (p * p) + " = " + (q * q) + ".",
                    "So x = √" + (q * q) + " = " + q + ".",
                    "Check: " + p + "² + " + q + "² = " + (c * c) + " = " + c + "².");
        }
        w.fallback(rng);
        return new Draft(GeoKind.PYTHAGORAS, s.fit(MARGIN), reading, steps, Integer.toString(ans), w.list());
    }

    // ------------------------------------------------------------------------------------------- level 3

    private static Draft parallelInTriangle(SplittableRandom rng) {
        int a;
        int b;
        int c;
        do {
            a = 35 + 5 * rng.nextInt(10);
            b = 40 + 5 * rng.nextInt(9);
            c = 180 - a - b;
        } while (c < 35);
        // vertices: 0 = apex A (angle a), 1 = B (angle b), 2 = C (angle c, asked)
        Pose pose = new Pose(rng.nextInt(31) - 15, rng.nextBoolean());
        Pt bb = new Pt(0, 0);
        Pt cc = new Pt(1, 0);
        double ab = Math.sin(Math.toRadians(c)) / Math.sin(Math.toRadians(a));
        Pt aa = Pt.polar(b).times(ab);
        double cut = 0.55 + 0.1 * rng.nextDouble();
        Pt d = aa.towards(bb, cut);
        Pt ee = aa.towards(cc, cut);
        Pt[] t = {pose.apply(aa), pose.apply(bb), pose.apply(cc)};
        Pt pd = pose.apply(d);
        Pt pe = pose.apply(ee);
        Sketch s = triangleSketch(t).segment(pd, pe).chevron(pd, pe, 0.05).chevron(t[1], t[2], 0.05);
        angleMark(s, t, 0, deg(a), a);
        int e = 180 - b;
        s.angleArc(pd, t[1], pe, ARC).angleLabel(pd, t[1], pe, deg(e), labelDistance(e));
        angleMark(s, t, 2, "x", c);
        Wrongs w = new Wrongs(c, 180, "°");
        w.add(e, "x corresponds to the " + deg(e) + " angle, so x = " + e + "°.");
        w.add(b, "x equals the other base angle, 180° − " + e + "° = " + b + "°.");
        w.add(a + b, "x = " + a + "° + (180° − " + e + "°) = " + (a + b) + "°, the sum of the other two angles.");
        w.add(180 - a, "x = 180° − " + a + "° = " + (180 - a) + "°.");
        w.add(e - b, "x = " + e + "° − " + b + "° = " + (e - b) + "°.");
        w.fallback(rng);
        return new Draft(GeoKind.PARALLEL_IN_TRIANGLE, s.fit(MARGIN),
                "The figure shows a triangle cut by a segment parallel to its base (both marked with arrows); the"
                        + " top angle is labelled " + deg(a) + ", the angle below the parallel segment where it meets"
                        + " one side is labelled " + deg(e) + ", and the base angle on the other side is marked x.",
                List.of("The parallel segment and the base are cut by the side they both meet; the " + deg(e)
                                + " angle and the base angle at the end of that side are co-interior angles, so they"
                                + " add up to 180°: that base angle is 180° − " + e + "° = " + b + "°.",
                        "Now the big triangle has angles " + a + "°, " + b + "° and x.",
                        "The angles of a triangle add up to 180°: x = 180° − " + a + "° − " + b + "° = " + c + "°.",
                        "Check: " + a + "° + " + b + "° + " + c + "° = 180°."),
                deg(c), w.list());
    }

    private static Draft thalesAngle(SplittableRandom rng) {
        int alpha = 20 + 5 * rng.nextInt(11);
        int ans = 90 - alpha;
        double rot = rng.nextInt(360);
        boolean mirror = rng.nextBoolean();
        Pose pose = new Pose(rot, mirror);
        Pt o = new Pt(0, 0);
        Pt a = pose.apply(Pt.polar(180));
        Pt b = pose.apply(Pt.polar(0));
        Pt c = pose.apply(Pt.polar(2 * alpha));
        Sketch s = new Sketch().circle(o, 1).segment(a, b).segment(a, c).segment(b, c).dot(o, DOT);
        s.angleArc(a, b, c, ARC).angleLabel(a, b, c, deg(alpha), labelDistance(alpha));
        s.angleArc(b, a, c, ARC).angleLabel(b, a, c, "x", labelDistance(ans));
        Wrongs w = new Wrongs(ans, 180, "°");
        w.add(alpha, "The triangle is isosceles, so x equals the labelled angle: x = " + alpha + "°.");
        w.add(180 - alpha, "x and the " + deg(alpha) + " angle add up to 180°: x = " + (180 - alpha) + "°.");
        w.add(2 * alpha, "x is the central angle of the labelled inscribed angle: x = 2 × " + alpha + "° = "
                + (2 * alpha) + "°.");
        w.add(180 - 2 * alpha, "x = 180° − 2 × " + alpha + "° = " + (180 - 2 * alpha) + "°.");
        w.add(90 + alpha, "x = 90° + " + alpha + "° = " + (90 + alpha) + "°.");
        w.fallback(rng);
        return new Draft(GeoKind.THALES_ANGLE, s.fit(MARGIN),
                "The figure shows a circle with its centre O marked by a dot and a triangle inscribed in it; one side of the triangle"
                        + " passes through O, one angle on that side is labelled " + deg(alpha)
                        + " and the other is marked x.",
                List.of("The side through the centre O is a diameter.",
                        "An angle inscribed in a semicircle is a right angle (Thales' theorem), so the triangle's"
                                + " angle opposite the diameter is 90°.",
                        "The angles of the triangle add up to 180°: x = 180° − 90° − " + alpha + "° = " + ans + "°.",
                        "Check: " + alpha + "° + " + ans + "° + 90° = 180°."),
                deg(ans), w.list());
    }

    private static Draft isoscelesExterior(SplittableRandom rng) {
        int apex = 20 + 10 * rng.nextInt(13);
        int base = (180 - apex) / 2;
        int ans = 180 - base;
        boolean mirror = rng.nextBoolean();
        Pose pose = new Pose(rng.nextInt(31) - 15, mirror);
        Pt[] t = isosceles(base, pose);
        Pt d = pose.apply(new Pt(1.8, 0));
        Sketch s = triangleSketch(t).segment(t[2], d).ticks(t[0], t[1], 1, 0.05).ticks(t[0], t[2], 1, 0.05);
        angleMark(s, t, 0, deg(apex), apex);
        s.angleArc(t[2], t[0], d, ARC).angleLabel(t[2], t[0], d, "x", labelDistance(ans));
        Wrongs w = new Wrongs(ans, 180, "°");
        w.add(base, "x is the base angle: x = (180° − " + apex + "°) ÷ 2 = " + base + "°.");
        w.add(180 - apex, "x and the apex angle add up to 180°: x = 180° − " + apex + "° = " + (180 - apex) + "°.");
        w.add(180 - apex / 2, "Each base angle is half the apex angle, " + (apex / 2) + "°, so x = 180° − "
                + (apex / 2) + "° = " + (180 - apex / 2) + "°.");
        w.add(90 + apex, "x = 90° + " + apex + "° = " + (90 + apex) + "°.");
        w.add(apex, "x is vertically opposite to the apex angle: x = " + apex + "°.");
        w.fallback(rng);
        return new Draft(GeoKind.ISOSCELES_EXTERIOR, s.fit(MARGIN),
                "The figure shows a triangle with two equal sides (tick marks) whose apex angle is labelled "
                        + deg(apex) + "; the base is extended past one end, and the exterior angle there is marked x.",
                List.of("The sides with tick marks are equal, so the two base angles are equal.",
                        "Each base angle is (180° − " + apex + "°) ÷ 2 = " + base + "°.",
                        "x and the base angle at the same vertex lie on a straight line: x = 180° − " + base + "° = "
                                + ans + "°.",
                        "Check: an exterior angle equals the sum of the two opposite interior angles: " + apex
                                + "° + " + base + "° = " + ans + "°."),
                deg(ans), w.list());
    }

    private static Draft rightTriangleArea(SplittableRandom rng) {
        int[] triple = TRIPLES[rng.nextInt(TRIPLES.length)];
        boolean swap = rng.nextBoolean();
        int p = swap ? triple[1] : triple[0];
        int q = swap ? triple[0] : triple[1];
        int c = triple[2];
        Pt[] t = rightTriangle(p, q, new Pose(rng.nextInt(360), rng.nextBoolean()));
        Sketch s = triangleSketch(t).rightAngle(t[0], t[1], t[2], 0.06);
        s.sideLabel(t[0], t[1], t[2], Integer.toString(p), 0.07, Sketch.INK);
        s.sideLabel(t[1], t[2], t[0], Integer.toString(c), 0.07, Sketch.INK);
        int ans = p * q / 2;
        Wrongs w = new Wrongs(ans, Integer.MAX_VALUE, "");
        w.add(p * q, "The area is the product of the legs: " + p + " × " + q + " = " + (p * q) + ".");
        if (p * c % 2 == 0) {
            w.add(p * c / 2, "The area is half the product of the labelled sides: " + p + " × " + c + " ÷ 2 = "
                    + (p * c / 2) + ".");
        }
        w.add(p + q + c, "Adding the sides: " + p + " + " + q + " + " + c + " = " + (p + q + c) + ".");
        w.add(p * c, "The area is the product of the labelled sides: " + p + " × " + c + " = " + (p * c) + ".");
        w.fallback(rng);
        return new Draft(GeoKind.RIGHT_TRIANGLE_AREA, s.fit(MARGIN),
                "The figure shows a right triangle (square mark) with a leg labelled " + p
                        + " and the hypotenuse labelled " + c + "; the other leg is not labelled.",
                List.of("First the other leg, by Pythagoras' theorem: leg² = " + c + "² − " + p + "² = " + (c * c)
                                + " − " + (p * p) + " = " + (q * q) + ", so the leg is " + q + ".",
                        "The legs are perpendicular, so one is the base and the other the height.",
                        "Area = " + p + " × " + q + " ÷ 2 = " + ans + ".",
                        "Check: " + p + "² + " + q + "² = " + (c * c) + " = " + c + "²."),
                Integer.toString(ans), w.list());
    }

    // ------------------------------------------------------------------------------------------- pieces

    /** A rotation by {@code degrees} about the origin, after an optional mirror in the y axis. */
    record Pose(double degrees, boolean mirror) {
        Pt apply(Pt p) {
            double x = mirror ? -p.x() : p.x();
            double r = Math.toRadians(degrees);
            return new Pt(x * Math.cos(r) - p.y() * Math.sin(r), x * Math.sin(r) + p.y() * Math.cos(r));
        }
    }

    /** Triangle with angle {@code a} at vertex 0 = (0, 0), {@code b} at vertex 1 = (1, 0), then posed. */
    private static Pt[] triangle(int a, int b, Pose pose) {
        double ac = Math.sin(Math.toRadians(b)) / Math.sin(Math.toRadians(a + b));
        Pt c = Pt.polar(a).times(ac);
        return new Pt[] {pose.apply(new Pt(0, 0)), pose.apply(new Pt(1, 0)), pose.apply(c)};
    }

    /** Isosceles triangle: vertex 0 the apex, 1 and 2 the base ends, base angles {@code base}. */
    private static Pt[] isosceles(int base, Pose pose) {
        double h = Math.tan(Math.toRadians(base));
        return new Pt[] {pose.apply(new Pt(0, h)), pose.apply(new Pt(-1, 0)), pose.apply(new Pt(1, 0))};
    }

    /** Right triangle: vertex 0 the right angle, 0-1 the leg {@code p}, 0-2 the leg {@code q}. */
    private static Pt[] rightTriangle(int p, int q, Pose pose) {
        return new Pt[] {pose.apply(new Pt(0, 0)), pose.apply(new Pt(p, 0)), pose.apply(new Pt(0, q))};
    }

    private static Sketch triangleSketch(Pt[] t) {
        return new Sketch().segment(t[0], t[1]).segment(t[1], t[2]).segment(t[2], t[0]);
    }

    private static void angleMark(Sketch s, Pt[] t, int i, String label, int degrees) {
        Pt v = t[i];
        Pt p = t[(i + 1) % 3];
        Pt q = t[(i + 2) % 3];
        s.angleArc(v, p, q, ARC).angleLabel(v, p, q, label, labelDistance(degrees));
    }

    /** The least distance of an angle's label from its vertex (unit lengths): just past the arc. */
    static double labelDistance(int degrees) {
        return ARC + 0.015;
    }

    private static double[] sides(Pt[] t) {
        return new double[] {t[1].distance(t[2]), t[2].distance(t[0]), t[0].distance(t[1])};
    }

    private static int[] permutation(SplittableRandom rng, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    static String deg(int degrees) {
        return degrees + "°";
    }

    /** Collects the valid wrong answers of a numeric problem: positive, below a limit, distinct, not the answer. */
    private static final class Wrongs {
        private final int answer;
        private final int limit;
        private final String unit;
        private final List<Draft.Wrong> list = new ArrayList<>();
        private final List<Integer> values = new ArrayList<>();

        Wrongs(int answer, int limit, String unit) {
            this.answer = answer;
            this.limit = limit;
            this.unit = unit;
        }

        void add(int value, String step) {
            if (value > 0 && value < limit && value != answer && !values.contains(value)) {
                values.add(value);
                list.add(new Draft.Wrong(value + unit, List.of(step)));
            }
        }

        /** Near misses (a value estimated from the drawing), so that there are always at least three wrongs. */
        void fallback(SplittableRandom rng) {
            int delta = unit.isEmpty() ? Math.max(1, answer / 10) : 10;
            for (int k = 1; values.size() < 3 && k < 10; k++) {
                int value = answer + (rng.nextBoolean() ? k : -k) * delta;
                add(value, String.format(Locale.ROOT, "Estimating from the drawing instead of computing: x is about"
                        + " %d%s.", value, unit));
            }
        }

        List<Draft.Wrong> list() {
            return list;
        }
    }
}
