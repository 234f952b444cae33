package ai.redstar.rl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.redstar.core.checkpoint.Safetensors;
import ai.redstar.core.checkpoint.SafetensorsFile;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.checkpoint.TensorInfo;
import ai.redstar.train.CheckpointStore;
import ai.redstar.train.optim.AdamW;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * RL checkpoint folders: {@code trainable.safetensors} (policy and value-head parameters, float32, exact),
 * {@code optimizer.safetensors} (AdamW moments) and {@code trainer_state.json} (step, prompt cursor, KL coefficient,
 * manifest), written atomically through {@link CheckpointStore}. Not thread-safe.
 */
final class RlCheckpoints {
    static final String TRAINABLE = "trainable.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String FORMAT = "redstar-rl-trainer-state";

    private RlCheckpoints() {}

    static Path save(Path output, long step, Map<String, NDArray> trainable, AdamW adamW, JsonObject state,
            int keep) {
        return CheckpointStore.save(output, step, folder -> {
            Safetensors.write(folder.resolve(TRAINABLE), trainable, TensorDtype.F32, Map.of("format", "pt"));
            Safetensors.write(folder.resolve(OPTIMIZER), adamW.state(), TensorDtype.F32, Map.of("format", "pt"));
            try {
                Files.writeString(folder.resolve(CheckpointStore.STATE_FILE),
                        new GsonBuilder().setPrettyPrinting().create().toJson(state) + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + folder.resolve(CheckpointStore.STATE_FILE), e);
            }
        }, keep);
    }

    /** The checkpoint's trainer state, unchecked. @throws IllegalArgumentException when it cannot be read */
    static JsonObject readState(Path checkpoint) {
        Path file = checkpoint.resolve(CheckpointStore.STATE_FILE);
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            return e.getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalArgumentException(checkpoint + " is not an RL checkpoint: cannot read " + file, e);
        }
    }

    /**
     * Copies the checkpoint's parameters into {@code trainable} and its moments into {@code adamW}.
     *
     * @return the saved trainer state
     * @throws IllegalArgumentException when the folder is no RL checkpoint
     * @throws IllegalStateException when it was written by a run with other settings or other parameters
     */
    static JsonObject restore(Path checkpoint, Map<String, NDArray> trainable, AdamW adamW, JsonObject manifest,
            Device device) {
        Path file = checkpoint.resolve(CheckpointStore.STATE_FILE);
        JsonObject state = readState(checkpoint);
        if (!state.has("format") || !FORMAT.equals(state.get("format").getAsString())) {
            throw new IllegalArgumentException(file + ": field 'format' must be \"" + FORMAT + "\"; resume RL runs"
                    + " from checkpoints written by RlTrainer or DpoTrainer");
        }
        if (!manifest.equals(state.get("manifest"))) {
            throw new IllegalStateException("cannot resume from " + checkpoint + ": it was written with settings "
                    + state.get("manifest") + ", this run has " + manifest + "; resume with the same settings");
        }
        Set<String> missing = new TreeSet<>(trainable.keySet());
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (SafetensorsFile params = SafetensorsFile.open(checkpoint.resolve(TRAINABLE))) {
            for (TensorInfo info : params.tensors().values()) {
                NDArray target = trainable.get(info.name());
                if (target == null) {
                    continue;
                }
                if (!info.shape().equals(target.getShape())) {
                    throw new IllegalStateException("cannot resume from " + checkpoint + ": '" + info.name()
                            + "' has shape " + info.shape() + ", the model has " + target.getShape());
                }
                try (NDScope scope = new NDScope()) {
                    target.set(params.read(info.name(), target.getManager()).toByteBuffer());
                }
                missing.remove(info.name());
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("cannot resume from " + checkpoint + ": " + TRAINABLE + " lacks "
                    + missing.size() + " parameter(s), e.g. '" + missing.iterator().next() + "'");
        }
        try (NDManager scratch = NDManager.newBaseManager(device);
                SafetensorsFile opt = SafetensorsFile.open(checkpoint.resolve(OPTIMIZER))) {
            Map<String, NDArray> moments = new LinkedHashMap<>();
            for (String name : opt.tensors().keySet()) {
                moments.put(name, opt.read(name, scratch));
            }
            adamW.restore(state.get("optimizer_steps").getAsLong(), moments);
        }
        return state;
    }
}
