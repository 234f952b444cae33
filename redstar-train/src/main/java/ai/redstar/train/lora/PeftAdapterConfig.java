package ai.redstar.train.lora;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * PEFT's {@code adapter_config.json} for a LoRA adapter, as {@code peft} 0.21.0's {@code LoraConfig.save_pretrained}
 * writes it: every field of {@code LoraConfig.to_dict()}, keys sorted, two-space indentation, with
 * {@code inference_mode: true} (PEFT's {@code PeftModel.save_pretrained} flips it on when saving).
 */
final class PeftAdapterConfig {
    /** The PEFT release whose {@code LoraConfig} fields this file has. */
    static final String PEFT_VERSION = "0.21.0";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
            .create();

    /** Values of {@code init_lora_weights} that leave the base weights untouched (the others mutate them). */
    private static final Set<String> PLAIN_INITS = Set.of("true", "false", "gaussian", "eva", "orthogonal");

    private PeftAdapterConfig() {}

    /** The JSON text for {@code config}. */
    static String toJson(LoraConfig config) {
        Map<String, JsonElement> fields = new TreeMap<>();
        JsonArray targets = new JsonArray();
        config.targets().forEach(t -> targets.add(t.moduleName()));
        fields.put("alora_invocation_tokens", JsonNull.INSTANCE);
        fields.put("alpha_pattern", new JsonObject());
        fields.put("arrow_config", JsonNull.INSTANCE);
        fields.put("auto_mapping", JsonNull.INSTANCE);
        fields.put("base_model_name_or_path", config.baseModel().<JsonElement>map(JsonPrimitive::new)
                .orElse(JsonNull.INSTANCE));
        fields.put("bias", new JsonPrimitive("none"));
        fields.put("corda_config", JsonNull.INSTANCE);
        fields.put("ensure_weight_tying", new JsonPrimitive(false));
        fields.put("eva_config", JsonNull.INSTANCE);
        fields.put("exclude_modules", JsonNull.INSTANCE);
        fields.put("fan_in_fan_out", new JsonPrimitive(false));
        fields.put("inference_mode", new JsonPrimitive(true));
        fields.put("init_lora_weights", new JsonPrimitive(true));
        fields.put("kasa_config", JsonNull.INSTANCE);
        fields.put("layer_replication", JsonNull.INSTANCE);
        fields.put("layers_pattern", JsonNull.INSTANCE);
        fields.put("layers_to_transform", JsonNull.INSTANCE);
        fields.put("loftq_config", new JsonObject());
        fields.put("lora_alpha", number(config.alpha()));
        fields.put("lora_bias", new JsonPrimitive(false));
        fields.put("lora_dropout", number(config.dropout()));
        fields.put("lora_ga_config", JsonNull.INSTANCE);
        fields.put("megatron_config", JsonNull.INSTANCE);
        fields.put("megatron_core", new JsonPrimitive("megatron.core"));
        fields.put("modules_to_save", JsonNull.INSTANCE);
        fields.put("monteclora_config", JsonNull.INSTANCE);
        fields.put("peft_type", new JsonPrimitive("LORA"));
        fields.put("peft_version", new JsonPrimitive(PEFT_VERSION));
        fields.put("qalora_group_size", new JsonPrimitive(16));
        fields.put("r", new JsonPrimitive(config.rank()));
        fields.put("rank_pattern", new JsonObject());
        fields.put("revision", JsonNull.INSTANCE);
        fields.put("target_modules", targets);
        fields.put("target_parameters", JsonNull.INSTANCE);
        fields.put("task_type", new JsonPrimitive("CAUSAL_LM"));
        fields.put("trainable_token_indices", JsonNull.INSTANCE);
        fields.put("use_bdlora", JsonNull.INSTANCE);
        fields.put("use_dora", new JsonPrimitive(false));
        fields.put("use_qalora", new JsonPrimitive(false));
        fields.put("use_rslora", new JsonPrimitive(false));
        fields.put("velora_config", JsonNull.INSTANCE);
        JsonObject o = new JsonObject();
        fields.forEach(o::add);
        return GSON.toJson(o);
    }

    /** Integral values as integers (PEFT's {@code lora_alpha: 16}), others as decimals. */
    private static JsonPrimitive number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? new JsonPrimitive((long) value)
                : new JsonPrimitive(value);
    }

    /** Writes the file atomically (temporary file in the same folder, then renamed). */
    static void write(LoraConfig config, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, ".adapter_config", ".json.tmp");
            try {
                Files.writeString(tmp, toJson(config), StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a PEFT LoRA {@code adapter_config.json}.
     *
     * @throws IllegalArgumentException naming the file and every field that is missing, malformed or asks for a
     *     LoRA variant this implementation does not have (DoRA, rsLoRA, biases, per-layer ranks, ...)
     * @throws UncheckedIOException when the file cannot be read
     */
    static LoraConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the text of an {@code adapter_config.json}; see {@link #read}. Fields PEFT added later are ignored. */
    static LoraConfig fromJson(String text) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException | StackOverflowError e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isJsonObject()) {
            throw new IllegalArgumentException("must hold a JSON object");
        }
        JsonObject o = root.getAsJsonObject();
        List<String> problems = new ArrayList<>();
        String peftType = string(o, "peft_type", problems);
        if (!"LORA".equals(peftType)) {
            problems.add("field 'peft_type' is " + o.get("peft_type") + "; expected \"LORA\"");
        }
        String task = string(o, "task_type", problems);
        if (task != null && !task.equals("CAUSAL_LM")) {
            problems.add("field 'task_type' is \"" + task + "\"; expected \"CAUSAL_LM\" (or null)");
        }
        LoraConfig.Builder b = LoraConfig.builder();
        JsonElement r = o.get("r");
        if (r == null || !isNumber(r) || r.getAsDouble() != Math.rint(r.getAsDouble()) || r.getAsDouble() < 1
                || r.getAsDouble() > Integer.MAX_VALUE) {
            problems.add("field 'r' is " + r + "; expected a positive integer");
        } else {
            b.rank(r.getAsInt());
        }
        JsonElement alpha = o.get("lora_alpha");
        if (alpha == null || !isNumber(alpha)) {
            problems.add("field 'lora_alpha' is " + alpha + "; expected a number");
        } else {
            b.alpha(alpha.getAsDouble());
        }
        JsonElement dropout = o.get("lora_dropout");
        if (dropout != null && !dropout.isJsonNull()) {
            if (!isNumber(dropout)) {
                problems.add("field 'lora_dropout' is " + dropout + "; expected a number");
            } else {
                b.dropout(dropout.getAsDouble());
            }
        } else {
            b.dropout(0.0);
        }
        targets(o.get("target_modules"), problems).ifPresentOrElse(b::targets, () -> { });
        String base = string(o, "base_model_name_or_path", problems);
        if (base != null) {
            b.baseModel(base);
        }
        requireAbsentOrEqual(o, "fan_in_fan_out", new JsonPrimitive(false), problems,
                "weights stored transposed (Conv1D models) are not supported");
        requireAbsentOrEqual(o, "bias", new JsonPrimitive("none"), problems, "adapters that train biases are not"
                + " supported");
        requireAbsentOrEqual(o, "use_rslora", new JsonPrimitive(false), problems, "rsLoRA scaling is not supported");
        requireAbsentOrEqual(o, "use_dora", new JsonPrimitive(false), problems, "DoRA is not supported");
        requireAbsentOrEqual(o, "lora_bias", new JsonPrimitive(false), problems, "a bias on lora_B is not supported");
        requireAbsentOrEqual(o, "use_qalora", new JsonPrimitive(false), problems, "QA-LoRA is not supported");
        for (String field : List.of("rank_pattern", "alpha_pattern")) {
            JsonElement e = o.get(field);
            if (e != null && !e.isJsonNull() && !(e.isJsonObject() && e.getAsJsonObject().size() == 0)) {
                problems.add("field '" + field + "' is " + e + "; per-module ranks and alphas are not supported");
            }
        }
        for (String field : List.of("layers_to_transform", "layers_pattern", "exclude_modules", "modules_to_save",
                "layer_replication", "target_parameters", "trainable_token_indices", "alora_invocation_tokens",
                "use_bdlora", "megatron_config")) {
            JsonElement e = o.get(field);
            boolean empty = e == null || e.isJsonNull() || (e.isJsonArray() && e.getAsJsonArray().size() == 0);
            if (!empty) {
                problems.add("field '" + field + "' is " + e + "; only null is supported");
            }
        }
        JsonElement init = o.get("init_lora_weights");
        if (init != null && !init.isJsonNull()
                && !(init.isJsonPrimitive() && PLAIN_INITS.contains(init.getAsString().toLowerCase(Locale.ROOT)))) {
            problems.add("field 'init_lora_weights' is " + init + "; this initialisation changes the base weights,"
                    + " so the adapter does not apply to the unmodified base model (convert it with PEFT's"
                    + " path_initial_model_for_weight_conversion first)");
        }
        LoraConfig config = null;
        if (problems.isEmpty()) {
            try {
                config = b.build();
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return config;
    }

    private static java.util.Optional<Set<LoraTarget>> targets(JsonElement e, List<String> problems) {
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
                && e.getAsString().equals("all-linear")) {
            return java.util.Optional.of(LoraConfig.ALL_LINEAR);
        }
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() == 0) {
            problems.add("field 'target_modules' is " + e + "; expected a list of module names among "
                    + LoraTarget.moduleNames() + ", or \"all-linear\" (regular expressions are not supported)");
            return java.util.Optional.empty();
        }
        Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (JsonElement name : e.getAsJsonArray()) {
            java.util.Optional<LoraTarget> t = name.isJsonPrimitive() && name.getAsJsonPrimitive().isString()
                    ? LoraTarget.fromModuleName(name.getAsString()) : java.util.Optional.empty();
            if (t.isEmpty()) {
                problems.add("field 'target_modules' holds " + name + "; expected module names among "
                        + LoraTarget.moduleNames());
            } else {
                targets.add(t.get());
            }
        }
        return targets.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(targets);
    }

    private static void requireAbsentOrEqual(JsonObject o, String field, JsonPrimitive expected,
            List<String> problems, String why) {
        JsonElement e = o.get(field);
        if (e != null && !e.isJsonNull() && !e.equals(expected)) {
            problems.add("field '" + field + "' is " + e + "; " + why + " (expected " + expected + ")");
        }
    }

    private static boolean isNumber(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    private static String string(JsonObject o, String field, List<String> problems) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            problems.add("field '" + field + "' is " + e + "; expected a string");
            return null;
        }
        return e.getAsString();
    }
}
