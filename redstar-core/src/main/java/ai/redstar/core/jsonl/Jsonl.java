package ai.redstar.core.jsonl;

import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Opens JSONL files for streaming reads and appending writes.
 *
 * <pre>{@code
 * try (Stream<JsonlRecord> records = Jsonl.stream(Path.of("cot.jsonl"))) {
 *     records.forEach(r -> use(r.nonEmptyString("question"), r.nonEmptyString("answer")));
 * }
 * try (JsonlWriter out = Jsonl.append(Path.of("kept.jsonl"))) {
 *     out.write(record.json());
 * }
 * }</pre>
 */
public final class Jsonl {
    private Jsonl() {
    }

    /**
     * A reader that fails on the first malformed line ({@link MalformedLinePolicy#FAIL}).
     *
     * @throws java.io.UncheckedIOException when the file cannot be opened
     */
    public static JsonlReader reader(Path file) {
        return reader(file, MalformedLinePolicy.FAIL);
    }

    /**
     * A reader with the given handling of malformed lines.
     *
     * @throws java.io.UncheckedIOException when the file cannot be opened
     */
    public static JsonlReader reader(Path file, MalformedLinePolicy policy) {
        return new JsonlReader(file, policy, JsonlReader.MAX_LINE_BYTES);
    }

    /**
     * The records of a file as a stream that must be closed; fails on the first malformed line.
     *
     * @throws java.io.UncheckedIOException when the file cannot be opened
     */
    public static Stream<JsonlRecord> stream(Path file) {
        return reader(file).stream();
    }

    /**
     * A writer appending to the file, which is created when missing.
     *
     * @throws java.io.UncheckedIOException when the file cannot be opened for appending
     */
    public static JsonlWriter append(Path file) {
        return new JsonlWriter(file);
    }
}
