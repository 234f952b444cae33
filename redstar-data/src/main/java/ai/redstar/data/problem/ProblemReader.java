package ai.redstar.data.problem;

import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.JsonlReader;
import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import java.io.Closeable;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the problems of a JSONL file through a {@link ProblemFormat}; the file is never held in memory whole.
 *
 * <p>A line that is not a JSON object, or whose mapped fields are missing or malformed, is handled by the
 * {@link MalformedLinePolicy}: {@code FAIL} throws a {@link JsonlException} naming the file, the line and the field
 * ({@code "math.jsonl line 12: field 'solution' has no \boxed{...} answer"}); {@code SKIP} logs it and counts it in
 * {@link #skipped()}. Each problem's {@link Problem#index()} is its line number.
 *
 * <p>Use in try-with-resources. Not thread-safe.
 */
public final class ProblemReader implements Iterator<Problem>, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemReader.class);

    private final JsonlReader reader;
    private final ProblemFormat format;
    private final MalformedLinePolicy policy;
    private long invalid;
    private Problem pending;

    private ProblemReader(Path file, ProblemFormat format, MalformedLinePolicy policy) {
        this.format = Objects.requireNonNull(format, "format");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.reader = Jsonl.reader(file, policy);
    }

    /**
     * Opens a problems file.
     *
     * @throws java.io.UncheckedIOException when the file cannot be opened
     */
    public static ProblemReader open(Path file, ProblemFormat format, MalformedLinePolicy policy) {
        return new ProblemReader(Objects.requireNonNull(file, "file"), format, policy);
    }

    /** The file being read. */
    public Path file() {
        return reader.file();
    }

    /** Lines skipped so far: not JSON objects, or records the format could not read (0 under {@code FAIL}). */
    public long skipped() {
        return reader.skippedLines() + invalid;
    }

    @Override
    public boolean hasNext() {
        while (pending == null && reader.hasNext()) {
            JsonlRecord record = reader.next();
            try {
                pending = format.read(record);
            } catch (JsonlException e) {
                if (policy == MalformedLinePolicy.FAIL) {
                    throw e;
                }
                invalid++;
                LOG.warn("skipped: {}", e.getMessage());
            }
        }
        return pending != null;
    }

    @Override
    public Problem next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more problems in " + reader.file());
        }
        Problem p = pending;
        pending = null;
        return p;
    }

    @Override
    public void close() {
        reader.close();
    }
}
