package ai.redstar.core.checkpoint;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A checkpoint file or folder is unreadable, corrupt or does not match what was expected: truncated file, corrupt
 * header length, invalid header JSON, offsets out of range, overlapping or disagreeing with the shape, unsupported
 * dtype, missing shard, a tensor missing from its shard, or missing/unexpected/misshaped tensors.
 *
 * <p>The message always starts with the file (or folder) and names the tensor where one is at fault;
 * {@link #file()} and {@link #tensor()} give them to programs. I/O failures are wrapped with their cause.
 */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String tensor;

    /**
     * @param file the file or folder at fault
     * @param tensor the tensor at fault, or {@code null} when the problem is not one tensor's
     * @param problem what is wrong and, where it helps, how to fix it
     */
    public CheckpointException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    /**
     * @param file the file or folder at fault
     * @param tensor the tensor at fault, or {@code null} when the problem is not one tensor's
     * @param problem what is wrong and, where it helps, how to fix it
     * @param cause the underlying failure, or {@code null}
     */
    public CheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(message(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    private static String message(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<no file>" : file.toString());
        if (tensor != null) {
            sb.append(": tensor '").append(tensor).append('\'');
        }
        return sb.append(": ").append(problem).toString();
    }

    /** The file or folder at fault. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The tensor at fault, if the problem is one tensor's. */
    public Optional<String> tensor() {
        return Optional.ofNullable(tensor);
    }
}
