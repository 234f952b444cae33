package ai.redstar.verify.code;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Equality of JSON values as call-based tests need it: arrays element by element (Python lists and tuples both
 * arrive as arrays), objects by key set and values, strings and booleans exactly, integers exactly, and numbers of
 * which at least one is written as a decimal within the float tolerance ({@link Outputs#numbersClose}).
 */
final class JsonValues {

    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final int MAX_DEPTH = 200;

    private JsonValues() {}

    /** Whether {@code actual} equals {@code expected}, or {@code expected} is {@code [x]} and actual equals x. */
    static boolean matchesExpected(JsonElement actual, JsonElement expected, double tolerance) {
        if (equal(actual, expected, tolerance, 0)) {
            return true;
        }
        return expected.isJsonArray() && expected.getAsJsonArray().size() == 1
                && equal(actual, expected.getAsJsonArray().get(0), tolerance, 0);
    }

    static boolean equal(JsonElement a, JsonElement e, double tolerance, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        if (a.isJsonNull() || e.isJsonNull()) {
            return a.isJsonNull() && e.isJsonNull();
        }
        if (a.isJsonArray() || e.isJsonArray()) {
            if (!a.isJsonArray() || !e.isJsonArray()) {
                return false;
            }
            JsonArray aa = a.getAsJsonArray();
            JsonArray ea = e.getAsJsonArray();
            if (aa.size() != ea.size()) {
                return false;
            }
            for (int i = 0; i < aa.size(); i++) {
                if (!equal(aa.get(i), ea.get(i), tolerance, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isJsonObject() || e.isJsonObject()) {
            if (!a.isJsonObject() || !e.isJsonObject()) {
                return false;
            }
            JsonObject ao = a.getAsJsonObject();
            JsonObject eo = e.getAsJsonObject();
            if (!ao.keySet().equals(eo.keySet())) {
                return false;
            }
            for (Map.Entry<String, JsonElement> entry : eo.entrySet()) {
                if (!equal(ao.get(entry.getKey()), entry.getValue(), tolerance, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        JsonPrimitive ap = a.getAsJsonPrimitive();
        JsonPrimitive ep = e.getAsJsonPrimitive();
        if (ap.isBoolean() || ep.isBoolean()) {
            return ap.isBoolean() && ep.isBoolean() && ap.getAsBoolean() == ep.getAsBoolean();
        }
        if (ap.isString() || ep.isString()) {
            return ap.isString() && ep.isString() && ap.getAsString().equals(ep.getAsString());
        }
        String as = ap.getAsString();
        String es = ep.getAsString();
        if (INTEGER.matcher(as).matches() && INTEGER.matcher(es).matches()) {
            return new BigDecimal(as).compareTo(new BigDecimal(es)) == 0;
        }
        try {
            return Outputs.numbersClose(number(as), number(es), tolerance);
        } catch (NumberFormatException malformed) {
            return false; // not a number after all: never equal
        }
    }

    private static double number(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> new BigDecimal(s).doubleValue();
        };
    }
}
