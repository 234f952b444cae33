package ai.redstar.verify.code;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Compares a program's standard output with the expected output, as {@link OutputMatch} documents. */
final class Outputs {

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");

    private Outputs() {}

    /** Empty when equal; otherwise where they first differ. */
    static Optional<String> difference(String actual, String expected, OutputMatch match, double tolerance) {
        List<List<String>> a = lines(actual);
        List<List<String>> e = lines(expected);
        if (match == OutputMatch.TOKENS) {
            List<String> at = a.stream().flatMap(List::stream).toList();
            List<String> et = e.stream().flatMap(List::stream).toList();
            for (int i = 0; i < Math.min(at.size(), et.size()); i++) {
                if (!tokenEquals(at.get(i), et.get(i), tolerance)) {
                    return Optional.of("token " + (i + 1) + ": expected '" + et.get(i) + "', got '" + at.get(i) + "'");
                }
            }
            if (at.size() != et.size()) {
                return Optional.of("expected " + et.size() + " tokens, got " + at.size());
            }
            return Optional.empty();
        }
        for (int i = 0; i < Math.min(a.size(), e.size()); i++) {
            List<String> al = a.get(i);
            List<String> el = e.get(i);
            boolean same = al.size() == el.size();
            for (int t = 0; same && t < al.size(); t++) {
                same = tokenEquals(al.get(t), el.get(t), tolerance);
            }
            if (!same) {
                return Optional.of("line " + (i + 1) + ": expected '" + String.join(" ", el) + "', got '"
                        + String.join(" ", al) + "'");
            }
        }
        if (a.size() != e.size()) {
            return Optional.of("expected " + e.size() + " non-blank lines, got " + a.size()
                    + (a.size() > e.size() ? "; first extra: '" + String.join(" ", a.get(e.size())) + "'"
                            : "; first missing: '" + String.join(" ", e.get(a.size())) + "'"));
        }
        return Optional.empty();
    }

    /** Non-blank lines split into tokens at white space. */
    private static List<List<String>> lines(String text) {
        List<List<String>> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            List<String> tokens = new ArrayList<>();
            for (String t : line.strip().split("\\s+")) {
                if (!t.isEmpty()) {
                    tokens.add(t);
                }
            }
            if (!tokens.isEmpty()) {
                out.add(tokens);
            }
        }
        return out;
    }

    static boolean tokenEquals(String actual, String expected, double tolerance) {
        if (actual.equals(expected)) {
            return true;
        }
        boolean aInt = INTEGER.matcher(actual).matches();
        boolean eInt = INTEGER.matcher(expected).matches();
        if (aInt && eInt) {
            return false; // integers compare exactly
        }
        if (actual.length() > 400 || expected.length() > 400
                || !DECIMAL.matcher(actual).matches() || !DECIMAL.matcher(expected).matches()) {
            return false;
        }
        return numbersClose(Double.parseDouble(actual), Double.parseDouble(expected), tolerance);
    }

    /** {@code |a - e| <= tolerance * max(1, |e|)}; infinities equal themselves, NaN equals NaN. */
    static boolean numbersClose(double a, double e, double tolerance) {
        if (Double.isNaN(a) || Double.isNaN(e)) {
            return Double.isNaN(a) && Double.isNaN(e);
        }
        if (Double.isInfinite(a) || Double.isInfinite(e)) {
            return a == e;
        }
        return Math.abs(a - e) <= tolerance * Math.max(1.0, Math.abs(e));
    }
}
