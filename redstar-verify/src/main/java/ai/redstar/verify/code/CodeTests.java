package ai.redstar.verify.code;

import com.google.common.collect.ImmutableList;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The tests a program is graded against: either standard input/output cases ({@link Stdio}) or calls of one
 * function ({@link Call}). {@link #fromInputOutputJson(String)} reads the TACO/APPS {@code input_output} field.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface CodeTests permits CodeTests.Stdio, CodeTests.Call {

    /** The number of cases. */
    int size();

    /** The first {@code n} cases (all when there are fewer): cheaper grading, for example as an RL reward. */
    CodeTests limit(int n);

    /**
     * One standard-input case: the program reads {@code input} and must print {@code expectedOutput} (compared as
     * {@link OutputMatch} says, numbers with the sandbox's float tolerance).
     */
    record StdioCase(String input, String expectedOutput) {
        public StdioCase {
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(expectedOutput, "expectedOutput");
        }
    }

    /**
     * One call: the function is called with the JSON array {@code argumentsJson} spread as positional arguments
     * and must return a value equal to {@code expectedJson} as JSON (lists and tuples alike, numbers with the
     * float tolerance). As in APPS/TACO, a one-element array {@code [x]} as expected value also accepts {@code x}.
     */
    record CallCase(String argumentsJson, String expectedJson) {
        public CallCase {
            Objects.requireNonNull(argumentsJson, "argumentsJson");
            Objects.requireNonNull(expectedJson, "expectedJson");
            JsonElement args = parse(argumentsJson, "argumentsJson");
            if (!args.isJsonArray()) {
                throw new IllegalArgumentException("argumentsJson must be a JSON array of positional arguments, got: "
                        + abbreviate(argumentsJson));
            }
            parse(expectedJson, "expectedJson");
        }

        JsonArray arguments() {
            return JsonParser.parseString(argumentsJson).getAsJsonArray();
        }

        JsonElement expected() {
            return JsonParser.parseString(expectedJson);
        }
    }

    /** Standard input/output tests. */
    record Stdio(List<StdioCase> cases) implements CodeTests {
        public Stdio {
            cases = ImmutableList.copyOf(cases);
            if (cases.isEmpty()) {
                throw new IllegalArgumentException("stdio tests need at least one case");
            }
        }

        @Override
        public int size() {
            return cases.size();
        }

        @Override
        public Stdio limit(int n) {
            checkLimit(n);
            return n >= cases.size() ? this : new Stdio(cases.subList(0, n));
        }
    }

    /**
     * Call-based tests of {@code functionName}: a top-level function of that name, or the method of that name on a
     * fresh {@code Solution()} when the program defines a class {@code Solution} with it (LeetCode style; the class
     * wins when both exist).
     */
    record Call(String functionName, List<CallCase> cases) implements CodeTests {
        private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

        public Call {
            Objects.requireNonNull(functionName, "functionName");
            if (!IDENTIFIER.matcher(functionName).matches()) {
                throw new IllegalArgumentException("functionName '" + functionName
                        + "' is not a Python identifier");
            }
            cases = ImmutableList.copyOf(cases);
            if (cases.isEmpty()) {
                throw new IllegalArgumentException("call tests of '" + functionName + "' need at least one case");
            }
        }

        @Override
        public int size() {
            return cases.size();
        }

        @Override
        public Call limit(int n) {
            checkLimit(n);
            return n >= cases.size() ? this : new Call(functionName, cases.subList(0, n));
        }
    }

    /** Standard input/output tests from cases. */
    static Stdio stdio(List<StdioCase> cases) {
        return new Stdio(cases);
    }

    /** Call-based tests from cases. */
    static Call call(String functionName, List<CallCase> cases) {
        return new Call(functionName, cases);
    }

    /**
     * Reads the TACO/APPS {@code input_output} JSON: {@code {"inputs": [...], "outputs": [...]}} with an optional
     * {@code "fn_name"}. Without {@code fn_name}, each input and output is a string (or a list of lines, joined with
     * newlines). With it, each input is the list of arguments of one call and each output the expected result.
     *
     * @throws IllegalArgumentException naming the field and index when the JSON does not have this shape
     */
    static CodeTests fromInputOutputJson(String json) {
        Objects.requireNonNull(json, "json");
        JsonElement root = parse(json, "input_output");
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("input_output must be a JSON object with 'inputs' and 'outputs', got: "
                    + abbreviate(json));
        }
        JsonObject o = root.getAsJsonObject();
        JsonArray inputs = array(o, "inputs");
        JsonArray outputs = array(o, "outputs");
        if (inputs.size() != outputs.size()) {
            throw new IllegalArgumentException("input_output has " + inputs.size() + " inputs but " + outputs.size()
                    + " outputs; they must pair up");
        }
        JsonElement fn = o.get("fn_name");
        if (fn != null && !fn.isJsonNull()) {
            if (!fn.isJsonPrimitive() || !fn.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException("input_output field 'fn_name' must be a string, got: " + fn);
            }
            List<CallCase> cases = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                JsonElement args = inputs.get(i);
                if (!args.isJsonArray()) {
                    throw new IllegalArgumentException("input_output inputs[" + i + "] must be the list of arguments"
                            + " of a call to '" + fn.getAsString() + "', got: " + abbreviate(args.toString()));
                }
                cases.add(new CallCase(args.toString(), outputs.get(i).toString()));
            }
            return new Call(fn.getAsString(), cases);
        }
        List<StdioCase> cases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            cases.add(new StdioCase(text(inputs.get(i), "inputs", i), text(outputs.get(i), "outputs", i)));
        }
        return new Stdio(cases);
    }

    private static JsonArray array(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonArray()) {
            throw new IllegalArgumentException("input_output field '" + field + "' is "
                    + (e == null ? "missing" : "not a list: " + abbreviate(e.toString())));
        }
        return e.getAsJsonArray();
    }

    private static String text(JsonElement e, String field, int index) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        if (e.isJsonArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonElement line : e.getAsJsonArray()) {
                if (!line.isJsonPrimitive()) {
                    throw new IllegalArgumentException("input_output " + field + "[" + index
                            + "] must be a string or a list of lines, got: " + abbreviate(e.toString()));
                }
                sb.append(sb.length() == 0 ? "" : "\n").append(line.getAsString());
            }
            return sb.toString();
        }
        throw new IllegalArgumentException("input_output " + field + "[" + index + "] must be a string or a list of"
                + " lines, got: " + abbreviate(e.toString()));
    }

    private static JsonElement parse(String json, String what) {
        try {
            return JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(what + " is not valid JSON (" + e.getMessage() + "): "
                    + abbreviate(json), e);
        }
    }

    private static void checkLimit(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + n);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? "'" + s + "'" : "'" + s.substring(0, 117) + "...'";
    }
}
