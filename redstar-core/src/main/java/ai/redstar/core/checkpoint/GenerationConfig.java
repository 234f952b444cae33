package ai.redstar.core.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The sampling defaults of a Hugging Face model folder, {@code generation_config.json}. A {@code null} component
 * means the field is absent from the file (so {@code transformers}' own default applies: temperature 1.0, top_p
 * 1.0, top_k 50, do_sample false). Fields this record does not model ({@code transformers_version},
 * {@code repetition_penalty}, ...) are kept in {@link #extraFields()} and written back, so a read-write round trip
 * loses nothing.
 *
 * <p>Immutable and thread-safe ({@link #extraFields()} returns a copy).
 *
 * @param bosTokenId {@code bos_token_id}, or null
 * @param eosTokenIds {@code eos_token_id} (a number or a list in the file), empty when absent
 * @param padTokenId {@code pad_token_id}, or null
 * @param temperature {@code temperature}, finite and {@code >= 0}, or null
 * @param topP {@code top_p}, in [0, 1], or null
 * @param topK {@code top_k}, {@code >= 0} (0 disables it), or null
 * @param maxNewTokens {@code max_new_tokens}, {@code >= 1}, or null
 * @param doSample {@code do_sample}, or null
 * @param extraFields every other field of the file
 */
public record GenerationConfig(Integer bosTokenId, List<Integer> eosTokenIds, Integer padTokenId, Double temperature,
        Double topP, Integer topK, Integer maxNewTokens, Boolean doSample, JsonObject extraFields) {
    /** The file name in a model folder. */
    public static final String FILE_NAME = "generation_config.json";

    private static final Set<String> MODELED = Set.of("bos_token_id", "eos_token_id", "pad_token_id", "temperature",
            "top_p", "top_k", "max_new_tokens", "do_sample");
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /**
     * @throws IllegalArgumentException naming the field and value when a value is out of range, or when
     *     {@code extraFields} holds a modelled field
     */
    public GenerationConfig {
        List<String> problems = rangeProblems(bosTokenId, eosTokenIds, padTokenId, temperature, topP, topK,
                maxNewTokens);
        extraFields = extraFields == null ? new JsonObject() : extraFields.deepCopy();
        for (String key : extraFields.keySet()) {
            if (MODELED.contains(key)) {
                problems.add("extraFields holds '" + key + "', which is a component of this record; pass it there");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid generation config: " + String.join("; ", problems));
        }
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
    }

    private static List<String> rangeProblems(Integer bosTokenId, List<Integer> eosTokenIds, Integer padTokenId,
            Double temperature, Double topP, Integer topK, Integer maxNewTokens) {
        List<String> problems = new ArrayList<>();
        tokenId(problems, "bos_token_id", bosTokenId);
        tokenId(problems, "pad_token_id", padTokenId);
        if (eosTokenIds != null) {
            for (Integer id : eosTokenIds) {
                if (id == null) {
                    problems.add("field 'eos_token_id' holds null");
                } else {
                    tokenId(problems, "eos_token_id", id);
                }
            }
        }
        if (temperature != null && !(Double.isFinite(temperature) && temperature >= 0)) {
            problems.add("field 'temperature' is " + temperature + "; it must be a finite number >= 0");
        }
        if (topP != null && !(topP >= 0 && topP <= 1)) {
            problems.add("field 'top_p' is " + topP + "; it must be in [0, 1]");
        }
        if (topK != null && topK < 0) {
            problems.add("field 'top_k' is " + topK + "; it must be >= 0 (0 disables top-k)");
        }
        if (maxNewTokens != null && maxNewTokens < 1) {
            problems.add("field 'max_new_tokens' is " + maxNewTokens + "; it must be >= 1");
        }
        return problems;
    }

    /** Every other field of the file (a copy). */
    @Override
    public JsonObject extraFields() {
        return extraFields.deepCopy();
    }

    /**
     * Reads {@code generation_config.json}, or the one inside a model folder.
     *
     * @throws CheckpointException naming the file, the field and its value when the file cannot be read or holds
     *     an invalid configuration
     */
    public static GenerationConfig read(Path fileOrFolder) {
        Path file = Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve(FILE_NAME) : fileOrFolder;
        String text = Checkpoint.readSmallText(file, Checkpoint.MAX_INDEX_BYTES);
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, null, e.getMessage(), e);
        }
    }

    /**
     * Parses the text of a {@code generation_config.json}.
     *
     * @throws IllegalArgumentException naming the field and its value when the text is not valid JSON, not an
     *     object, or holds a field of the wrong type or range
     */
    public static GenerationConfig fromJson(String json) {
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setStrictness(Strictness.STRICT);
            reader.setNestingLimit(64);
            root = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("generation config has content after its JSON value");
            }
        } catch (JsonParseException | IOException | IllegalStateException e) {
            throw new IllegalArgumentException("generation config is not valid JSON: " + JsonProblems.describe(e), e);
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("generation config must be a JSON object, got " + abbreviate(root));
        }
        JsonObject o = root.getAsJsonObject();
        List<String> problems = new ArrayList<>();
        Integer bos = integer(o, "bos_token_id", problems);
        Integer pad = integer(o, "pad_token_id", problems);
        Integer topK = integer(o, "top_k", problems);
        Integer maxNewTokens = integer(o, "max_new_tokens", problems);
        Double temperature = number(o, "temperature", problems);
        Double topP = number(o, "top_p", problems);
        Boolean doSample = null;
        JsonElement sample = o.get("do_sample");
        if (sample != null && !sample.isJsonNull()) {
            if (sample.isJsonPrimitive() && sample.getAsJsonPrimitive().isBoolean()) {
                doSample = sample.getAsBoolean();
            } else {
                problems.add("field 'do_sample' must be true or false, got " + abbreviate(sample));
            }
        }
        List<Integer> eos = new ArrayList<>();
        JsonElement e = o.get("eos_token_id");
        if (e != null && !e.isJsonNull()) {
            if (e.isJsonArray()) {
                for (JsonElement id : e.getAsJsonArray()) {
                    Integer value = asInteger("eos_token_id", id, problems);
                    if (value != null) {
                        eos.add(value);
                    }
                }
            } else {
                Integer value = asInteger("eos_token_id", e, problems);
                if (value != null) {
                    eos.add(value);
                }
            }
        }
        problems.addAll(rangeProblems(bos, eos, pad, temperature, topP, topK, maxNewTokens));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid generation config: " + String.join("; ", problems));
        }
        JsonObject extra = new JsonObject();
        for (Map.Entry<String, JsonElement> field : o.entrySet()) {
            if (!MODELED.contains(field.getKey())) {
                extra.add(field.getKey(), field.getValue());
            }
        }
        return new GenerationConfig(bos, eos, pad, temperature, topP, topK, maxNewTokens, doSample, extra);
    }

    /**
     * The file's text as {@code transformers} writes it: keys sorted, two-space indent, trailing newline. Absent
     * (null) fields are omitted; one eos id is written as a number, several as a list.
     */
    public String toJson() {
        Map<String, JsonElement> fields = new TreeMap<>();
        for (Map.Entry<String, JsonElement> e : extraFields.entrySet()) {
            fields.put(e.getKey(), e.getValue().deepCopy());
        }
        put(fields, "bos_token_id", bosTokenId);
        put(fields, "pad_token_id", padTokenId);
        put(fields, "top_k", topK);
        put(fields, "max_new_tokens", maxNewTokens);
        put(fields, "temperature", temperature);
        put(fields, "top_p", topP);
        if (doSample != null) {
            fields.put("do_sample", new JsonPrimitive(doSample));
        }
        if (eosTokenIds.size() == 1) {
            fields.put("eos_token_id", new JsonPrimitive(eosTokenIds.get(0)));
        } else if (!eosTokenIds.isEmpty()) {
            JsonArray ids = new JsonArray();
            eosTokenIds.forEach(ids::add);
            fields.put("eos_token_id", ids);
        }
        JsonObject o = new JsonObject();
        fields.forEach(o::add);
        return PRETTY.toJson(o) + "\n";
    }

    /**
     * Writes {@link #toJson()} to {@code generation_config.json} (or into the given folder) atomically.
     *
     * @throws CheckpointException naming the file when it cannot be written
     */
    public void write(Path fileOrFolder) {
        Path file = Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve(FILE_NAME) : fileOrFolder;
        Checkpoint.writeTextAtomically(file, toJson());
    }

    private static void put(Map<String, JsonElement> fields, String key, Number value) {
        if (value != null) {
            fields.put(key, new JsonPrimitive(value));
        }
    }

    private static void tokenId(List<String> problems, String field, Integer id) {
        if (id != null && id < 0) {
            problems.add("field '" + field + "' is " + id + "; token ids are >= 0");
        }
    }

    private static Integer integer(JsonObject o, String field, List<String> problems) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? null : asInteger(field, e, problems);
    }

    private static Integer asInteger(String field, JsonElement e, List<String> problems) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                return e.getAsJsonPrimitive().getAsBigDecimal().intValueExact();
            } catch (ArithmeticException | NumberFormatException notInt) {
                // reported below
            }
        }
        problems.add("field '" + field + "' must be an integer, got " + abbreviate(e));
        return null;
    }

    private static Double number(JsonObject o, String field, List<String> problems) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double value = e.getAsDouble();
            if (Double.isFinite(value)) {
                return value;
            }
        }
        problems.add("field '" + field + "' must be a finite number, got " + abbreviate(e));
        return null;
    }

    private static String abbreviate(JsonElement e) {
        String s = e.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "GenerationConfig{bos=%s, eos=%s, pad=%s, temperature=%s, topP=%s, topK=%s, maxNewTokens=%s,"
                        + " doSample=%s, extra=%s}",
                bosTokenId, eosTokenIds, padTokenId, temperature, topP, topK, maxNewTokens, doSample,
                extraFields.keySet());
    }
}
