package ai.redstar.train;

import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.model.CausalLm;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes the model part of a checkpoint into a folder that the trainer then completes with its own state
 * ({@code trainer_state.json}, {@code optimizer.safetensors}) and renames into place.
 *
 * <p><b>Contract.</b> Every trainable parameter given to the trainer must be written, under its trainable name, in
 * float32, into some {@code *.safetensors} file of the folder: that is where a resumed run reads the trainable values
 * back (bit-exact). {@link #fullModel} does so for full fine-tuning ({@code model.safetensors} with Hugging Face
 * names); a LoRA saver writing {@code adapter_model.safetensors} with PEFT names does so when the trainable map uses
 * those names. The saver must not write {@code trainer_state.json} or {@code optimizer.safetensors}. An exception
 * aborts the checkpoint: the temporary folder is deleted and the previous checkpoint stays as it was.
 *
 * <p>State of the model part beyond the trainable values (for example how many dropout masks an adapter has drawn)
 * is written by {@link #save} and read back by {@link #restore}, which a resumed run calls after restoring the
 * trainable values.
 */
@FunctionalInterface
public interface ModelSaver {
    /**
     * Writes the model files.
     *
     * @param folder an existing, empty temporary folder
     */
    void save(Path folder);

    /**
     * Reads back, on resume, what {@link #save} wrote beyond the trainable values (default: nothing). Called after
     * the trainer has copied the trainable values and optimiser moments in.
     *
     * @param folder the checkpoint folder resumed from
     */
    default void restore(Path folder) {
    }

    /** The default: {@code model.save(folder, TensorDtype.F32)}, a Hugging Face model folder. */
    static ModelSaver fullModel(CausalLm model) {
        Objects.requireNonNull(model, "model");
        return folder -> model.save(folder, TensorDtype.F32);
    }
}
