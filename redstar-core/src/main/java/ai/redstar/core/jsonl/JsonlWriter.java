package ai.redstar.core.jsonl;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends records to a JSONL file, one compact JSON object per line, each handed to the operating system before
 * {@link #write} returns: a crash of the JVM loses nothing already written. {@link #sync()} additionally forces the
 * file to the storage device (against power loss).
 *
 * <p>Opening creates the file if it is missing and otherwise appends. If an earlier writer died in the middle of a
 * line (the file does not end with a newline), a newline is added first, so the torn line stays one malformed line
 * (which {@link JsonlReader} reports or skips) instead of swallowing the next record. JSON {@code null} members are
 * written, not dropped. Thread-safe: concurrent {@link #write} calls produce whole lines.
 */
public final class JsonlWriter implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonlWriter.class);
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls()
            .setStrictness(Strictness.STRICT).create();

    private final Path file;
    private FileChannel channel;
    private long written;

    JsonlWriter(Path file) {
        this.file = Objects.requireNonNull(file, "file");
        try {
            boolean tornLine = endsWithoutNewline(file);
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            if (tornLine) {
                LOG.warn("{} does not end with a newline (an earlier writer stopped mid-line); "
                        + "starting a new line so the torn line stays separate", file);
                writeFully(ByteBuffer.wrap(new byte[] {'\n'}));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open JSONL file " + file + " for appending: " + e.getMessage(), e);
        }
    }

    /** The file being written, as given. */
    public Path file() {
        return file;
    }

    /** How many records this writer has written. */
    public synchronized long recordsWritten() {
        return written;
    }

    /**
     * Appends one record as one line.
     *
     * @throws IllegalArgumentException when the record holds a non-finite number (not representable in JSON)
     * @throws IllegalStateException when the writer is closed
     * @throws UncheckedIOException when the write fails
     */
    public synchronized void write(JsonObject record) {
        Objects.requireNonNull(record, "record");
        if (channel == null) {
            throw new IllegalStateException("JSONL writer for " + file + " is closed");
        }
        String json = GSON.toJson(record);
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            writeFully(ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to JSONL file " + file + ": " + e.getMessage(), e);
        }
        written++;
    }

    /** Appends the object of a record read elsewhere (unknown fields included). */
    public void write(JsonlRecord record) {
        write(Objects.requireNonNull(record, "record").json());
    }

    /**
     * Forces everything written so far to the storage device.
     *
     * @throws IllegalStateException when the writer is closed
     */
    public synchronized void sync() {
        if (channel == null) {
            throw new IllegalStateException("JSONL writer for " + file + " is closed");
        }
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync JSONL file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Closes the file; idempotent. */
    @Override
    public synchronized void close() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close JSONL file " + file + ": " + e.getMessage(), e);
        } finally {
            channel = null;
        }
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static boolean endsWithoutNewline(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return false;
        }
        try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            reader.read(last, reader.size() - 1);
            return last.get(0) != '\n';
        }
    }
}
