package ai.redstar.core.jsonl;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One JSON object read from a JSONL file, with where it came from, and typed field accessors whose errors name the
 * file, the line and the field ({@code "cot.jsonl line 412: field 'answer' is missing"}).
 *
 * <p>The {@link #json()} object is the reader's fresh parse result and belongs to the caller; every field of the
 * line is in it, including those this library does not know, so writing it back loses nothing. Accessors treat a
 * JSON {@code null} like an absent field. Not thread-safe when the caller mutates {@link #json()}.
 *
 * @param file the file the record was read from, as given to the reader
 * @param lineNumber the 1-based physical line number (blank lines count)
 * @param json the parsed object
 */
public record JsonlRecord(Path file, long lineNumber, JsonObject json) {
    private static final int QUOTE_LIMIT = 40;

    public JsonlRecord {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(json, "json");
        if (lineNumber < 1) {
            throw new IllegalArgumentException("lineNumber must be >= 1, got " + lineNumber);
        }
    }

    /** Whether the field is present and not JSON {@code null}. */
    public boolean has(String field) {
        JsonElement value = json.get(field);
        return value != null && !value.isJsonNull();
    }

    /**
     * The string value of a required field; it may be empty.
     *
     * @throws JsonlException when the field is missing, {@code null} or not a JSON string
     */
    public String string(String field) {
        JsonElement value = require(field);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw problem("field '" + field + "' is not a string (found " + describe(value) + ")");
        }
        return value.getAsString();
    }

    /**
     * The string value of a required field that must contain more than whitespace.
     *
     * @throws JsonlException when the field is missing, not a string, empty or only whitespace
     */
    public String nonEmptyString(String field) {
        String value = string(field);
        if (value.isEmpty()) {
            throw problem("field '" + field + "' is empty");
        }
        if (value.isBlank()) {
            throw problem("field '" + field + "' is blank (only whitespace)");
        }
        return value;
    }

    /**
     * The string value of an optional field: empty when the field is absent or {@code null}.
     *
     * @throws JsonlException when the field is present but not a string
     */
    public Optional<String> optionalString(String field) {
        return has(field) ? Optional.of(string(field)) : Optional.empty();
    }

    /**
     * The value of a required integer field ({@code 3}, {@code 3.0} and {@code 3e0} are accepted).
     *
     * @throws JsonlException when the field is missing, not a number, not integral or out of the {@code long} range
     */
    public long integer(String field) {
        JsonElement value = require(field);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw problem("field '" + field + "' is not an integer (found " + describe(value) + ")");
        }
        BigDecimal decimal;
        try {
            decimal = value.getAsBigDecimal();
        } catch (NumberFormatException e) {
            throw problem("field '" + field + "' is not an integer (found " + describe(value) + ")");
        }
        try {
            return decimal.longValueExact();
        } catch (ArithmeticException e) {
            throw problem("field '" + field + "' is not an integer in the 64-bit range (found "
                    + describe(value) + ")");
        }
    }

    /**
     * The value of a required numeric field.
     *
     * @throws JsonlException when the field is missing or not a number
     */
    public double number(String field) {
        JsonElement value = require(field);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw problem("field '" + field + "' is not a number (found " + describe(value) + ")");
        }
        return value.getAsDouble();
    }

    /**
     * The value of a required boolean field.
     *
     * @throws JsonlException when the field is missing or not {@code true}/{@code false}
     */
    public boolean bool(String field) {
        JsonElement value = require(field);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
            throw problem("field '" + field + "' is not a boolean (found " + describe(value) + ")");
        }
        return value.getAsBoolean();
    }

    /**
     * The value of a required array field (the record's own array, not a copy).
     *
     * @throws JsonlException when the field is missing or not an array
     */
    public JsonArray array(String field) {
        JsonElement value = require(field);
        if (!value.isJsonArray()) {
            throw problem("field '" + field + "' is not an array (found " + describe(value) + ")");
        }
        return value.getAsJsonArray();
    }

    /**
     * The value of a required object field (the record's own object, not a copy).
     *
     * @throws JsonlException when the field is missing or not an object
     */
    public JsonObject object(String field) {
        JsonElement value = require(field);
        if (!value.isJsonObject()) {
            throw problem("field '" + field + "' is not an object (found " + describe(value) + ")");
        }
        return value.getAsJsonObject();
    }

    /**
     * An exception for a problem the caller found in this record, prefixed with the file and line, so that
     * validation beyond the typed accessors reports in the same form:
     * {@code throw record.problem("field 'level' must be 1 to 5, found 7")}.
     */
    public JsonlException problem(String description) {
        return new JsonlException(file, lineNumber, description);
    }

    private JsonElement require(String field) {
        Objects.requireNonNull(field, "field");
        JsonElement value = json.get(field);
        if (value == null || value.isJsonNull()) {
            throw problem("field '" + field + "' is missing");
        }
        return value;
    }

    /** A short description of a JSON value for error messages: its type, and its value when that is short. */
    static String describe(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return "null";
        }
        if (value.isJsonArray()) {
            return "an array of " + value.getAsJsonArray().size();
        }
        if (value.isJsonObject()) {
            return "an object";
        }
        JsonPrimitive primitive = value.getAsJsonPrimitive();
        if (primitive.isBoolean()) {
            return "boolean " + primitive.getAsBoolean();
        }
        if (primitive.isNumber()) {
            return "number " + quote(primitive.toString());
        }
        return "string \"" + quote(primitive.getAsString()) + "\"";
    }

    private static String quote(String text) {
        return text.length() <= QUOTE_LIMIT ? text : text.substring(0, QUOTE_LIMIT) + "...";
    }
}
