package ai.redstar.train;

import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.image.PreprocessorConfig;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.vision.VisionLm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** Tokenizer files copied next to a saved model when present. */
    List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "chat_template.jinja", "chat_template.json", "vocab.json", "merges.txt", "added_tokens.json",
            "generation_config.json");

    /**
     * A vision-language model's folder as llava-hf lays it out: {@code model.save(folder, TensorDtype.F32)}
     * ({@code config.json}, {@code model.safetensors}), {@code preprocessor_config.json}, and the tokenizer files of
     * {@code tokenizerFolderOrNull} that exist ({@link #TOKENIZER_FILES}), so that a checkpoint loads as a model.
     */
    static ModelSaver visionModel(VisionLm model, PreprocessorConfig preprocessor, Path tokenizerFolderOrNull) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(preprocessor, "preprocessor");
        return folder -> {
            model.save(folder, TensorDtype.F32);
            preprocessor.write(folder);
            if (tokenizerFolderOrNull != null) {
                for (String name : TOKENIZER_FILES) {
                    Path file = tokenizerFolderOrNull.resolve(name);
                    if (Files.isRegularFile(file)) {
                        try {
                            Files.copy(file, folder.resolve(name));
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot copy tokenizer file " + file + " into checkpoint "
                                    + folder + ": " + e.getMessage(), e);
                        }
                    }
                }
            }
        };
    }
}
