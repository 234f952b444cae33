package ai.redstar.core.vision;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed access to the fields of one JSON object that collects every problem instead of stopping at the first. */
final class JsonFields {
    final JsonObject o;
    final String prefix;
    final List<String> problems;

    JsonFields(JsonObject o, String prefix, List<String> problems) {
        this.o = o;
        this.prefix = prefix;
        this.problems = problems;
    }

    String name(String field) {
        return prefix + field;
    }

    private JsonPrimitive primitive(String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive()) {
            problems.add("field '" + name(field) + "' must be a scalar, got " + e);
            return null;
        }
        return e.getAsJsonPrimitive();
    }

    Integer asInt(String field, JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            problems.add("field '" + name(field) + "' must be an integer, got " + e);
            return null;
        }
        double d = e.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            problems.add("field '" + name(field) + "' must be an integer, got " + e);
            return null;
        }
        return (int) d;
    }

    Optional<Integer> integer(String field) {
        JsonPrimitive p = primitive(field);
        return p == null ? Optional.empty() : Optional.ofNullable(asInt(field, p));
    }

    Optional<Double> number(String field) {
        JsonPrimitive p = primitive(field);
        if (p == null) {
            return Optional.empty();
        }
        if (!p.isNumber()) {
            problems.add("field '" + name(field) + "' must be a number, got " + p);
            return Optional.empty();
        }
        return Optional.of(p.getAsDouble());
    }

    Optional<Boolean> bool(String field) {
        JsonPrimitive p = primitive(field);
        if (p == null) {
            return Optional.empty();
        }
        if (!p.isBoolean()) {
            problems.add("field '" + name(field) + "' must be true or false, got " + p);
            return Optional.empty();
        }
        return Optional.of(p.getAsBoolean());
    }

    Optional<String> string(String field) {
        JsonPrimitive p = primitive(field);
        if (p == null) {
            return Optional.empty();
        }
        if (!p.isString()) {
            problems.add("field '" + name(field) + "' must be a string, got " + p);
            return Optional.empty();
        }
        return Optional.of(p.getAsString());
    }

    /** An int, or a list of ints; empty with a problem recorded when neither. */
    Optional<List<Integer>> intOrList(String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        List<Integer> values = new ArrayList<>();
        if (e.isJsonArray()) {
            for (JsonElement item : e.getAsJsonArray()) {
                Integer v = asInt(field, item);
                if (v == null) {
                    return Optional.empty();
                }
                values.add(v);
            }
        } else {
            Integer v = asInt(field, e);
            if (v == null) {
                return Optional.empty();
            }
            values.add(v);
        }
        return Optional.of(values);
    }
}
