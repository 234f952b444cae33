package ai.redstar.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The trainer's part of a checkpoint, {@code trainer_state.json}: the step, the data cursor, running totals and the
 * manifest of the run. The optimiser moments live beside it in {@code optimizer.safetensors}.
 *
 * <p>Randomness needs no saved generator: the data order of an epoch is derived from (seed, epoch) and the engine's
 * generator (dropout) is reseeded from (seed, step) before every step, so (seed, step, epoch, step in epoch) is the
 * whole random state.
 *
 * @param step optimiser steps done
 * @param epoch the epoch of the next step (0-based)
 * @param stepInEpoch the next step's index within its epoch (0-based)
 * @param tokens real tokens trained so far
 * @param lossTokens learned tokens so far
 * @param elapsedSeconds training time so far
 * @param lastLoss loss of step {@code step}, NaN before the first
 * @param optimizerSteps updates AdamW applied (its bias-correction count)
 * @param manifest what the run was (settings, seed, data fingerprint, versions); checked on resume
 */
record TrainerState(long step, int epoch, int stepInEpoch, long tokens, long lossTokens, double elapsedSeconds,
        double lastLoss, long optimizerSteps, JsonObject manifest) {
    static final String FILE = "trainer_state.json";
    static final String FORMAT = "redstar-sft-trainer-state";
    static final int VERSION = 1;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

    static TrainerState start(JsonObject manifest) {
        return new TrainerState(0, 0, 0, 0, 0, 0, Double.NaN, 0, manifest);
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", VERSION);
        o.addProperty("global_step", step);
        o.addProperty("epoch", epoch);
        o.addProperty("step_in_epoch", stepInEpoch);
        o.addProperty("tokens", tokens);
        o.addProperty("loss_tokens", lossTokens);
        o.addProperty("elapsed_s", elapsedSeconds);
        if (Double.isFinite(lastLoss)) {
            o.addProperty("last_loss", lastLoss);
        }
        o.addProperty("optimizer_steps", optimizerSteps);
        JsonObject rng = new JsonObject();
        rng.addProperty("data_order", "Fisher-Yates per epoch with SplittableRandom(seed ^ 0x9E3779B97F4A7C15 * (epoch + 1))");
        rng.addProperty("engine", "Engine.setRandomSeed(mix(seed, step)) before every step");
        o.add("rng", rng);
        o.add("manifest", manifest);
        return o;
    }

    void write(Path folder) {
        try {
            Files.writeString(folder.resolve(FILE), GSON.toJson(toJson()) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + folder.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@code trainer_state.json} of a checkpoint folder.
     *
     * @throws IllegalArgumentException naming the file and field when it is missing or malformed
     */
    static TrainerState read(Path folder) {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(folder + " is not a checkpoint of this trainer: it has no " + FILE);
        }
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(file + " must hold a JSON object");
            }
            o = e.getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!o.has("format") || !FORMAT.equals(o.get("format").getAsString())) {
            throw new IllegalArgumentException(file + ": field 'format' must be \"" + FORMAT + "\"");
        }
        if (o.get("version").getAsInt() != VERSION) {
            throw new IllegalArgumentException(file + ": field 'version' is " + o.get("version")
                    + "; this library reads version " + VERSION);
        }
        try {
            return new TrainerState(o.get("global_step").getAsLong(), o.get("epoch").getAsInt(),
                    o.get("step_in_epoch").getAsInt(), o.get("tokens").getAsLong(), o.get("loss_tokens").getAsLong(),
                    o.get("elapsed_s").getAsDouble(),
                    o.has("last_loss") ? o.get("last_loss").getAsDouble() : Double.NaN,
                    o.get("optimizer_steps").getAsLong(), o.getAsJsonObject("manifest"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is missing a field or has one of the wrong type: " + e, e);
        }
    }

    /**
     * Compares the manifest of a checkpoint with the one of the run about to resume it.
     *
     * @throws IllegalStateException listing every differing entry, when any differs
     */
    static void checkSameRun(Path checkpoint, JsonObject saved, JsonObject now) {
        List<String> differences = new ArrayList<>();
        Set<String> keys = new TreeSet<>(saved.keySet());
        keys.addAll(now.keySet());
        for (String key : keys) {
            JsonElement a = saved.get(key);
            JsonElement b = now.get(key);
            if (a == null || !a.equals(b)) {
                differences.add(String.format(Locale.ROOT, "%s: checkpoint %s, now %s", key, shorten(a), shorten(b)));
            }
        }
        if (!differences.isEmpty()) {
            throw new IllegalStateException("cannot resume from " + checkpoint + ": it was written by a different run ("
                    + String.join("; ", differences) + "). Resume with the same model, data, settings, seed and"
                    + " library versions, or start a new run from the checkpoint's model files.");
        }
    }

    private static String shorten(JsonElement e) {
        if (e == null) {
            return "(absent)";
        }
        String s = e.toString();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
