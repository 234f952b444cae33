package ai.redstar.core.jsonl;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A problem with the content of a JSONL file: a line that is not a JSON object, or a record field that is missing,
 * empty or of the wrong type. The message starts with the file and the 1-based line number, for example
 * {@code "cot.jsonl line 412: field 'answer' is missing"}.
 */
public final class JsonlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long lineNumber;

    JsonlException(Path file, long lineNumber, String problem, Throwable cause) {
        super(file + " line " + lineNumber + ": " + problem, cause);
        this.file = Objects.requireNonNull(file, "file");
        this.lineNumber = lineNumber;
    }

    JsonlException(Path file, long lineNumber, String problem) {
        this(file, lineNumber, problem, null);
    }

    /** The file the offending line belongs to, as it was given to the reader. */
    public Path file() {
        return file;
    }

    /** The 1-based number of the offending line, counting blank lines. */
    public long lineNumber() {
        return lineNumber;
    }
}
