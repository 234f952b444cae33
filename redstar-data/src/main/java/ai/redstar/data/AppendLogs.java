package ai.redstar.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery of the append-only JSONL files a run writes (its journal, screening log and outputs) after a kill: the
 * longest prefix of whole, parseable lines is kept and anything after it (a line torn by the kill) is cut off.
 */
final class AppendLogs {
    private static final Logger LOG = LoggerFactory.getLogger(AppendLogs.class);

    private AppendLogs() {
    }

    /**
     * Hands each record of the file's valid prefix to {@code sink} and cuts the file after that prefix. A missing
     * file is an empty one.
     *
     * @return the length of the valid prefix in bytes
     * @throws IllegalStateException when a malformed line is followed by whole lines: damage no kill can cause
     */
    static long recover(Path file, Consumer<JsonObject> sink) {
        if (!Files.exists(file)) {
            return 0;
        }
        long valid = 0;
        long offset = 0;
        long lineNumber = 0;
        String tornAt = null;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            int b;
            while (true) {
                b = in.read();
                if (b < 0) {
                    if (line.size() > 0 && tornAt == null) {
                        tornAt = "line " + (lineNumber + 1) + " has no end (cut by a kill)";
                    }
                    break;
                }
                offset++;
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                lineNumber++;
                JsonObject record = parse(line.toByteArray());
                line.reset();
                if (record == null) {
                    if (tornAt == null) {
                        tornAt = "line " + lineNumber + " is not a JSON object";
                    }
                    continue;
                }
                if (tornAt != null) {
                    throw new IllegalStateException(file + ": " + tornAt + " but whole records follow it (line "
                            + lineNumber + "); the file was damaged other than by a kill. Move the output directory "
                            + "away and start afresh, or repair the file by hand");
                }
                sink.accept(record);
                valid = offset;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        truncate(file, valid, tornAt);
        return valid;
    }

    /** Cuts {@code file} to {@code length} bytes when it is longer. */
    static void truncate(Path file, long length, String why) {
        try {
            if (!Files.exists(file)) {
                if (length > 0) {
                    throw new IllegalStateException(file + " is missing but the journal says it held " + length
                            + " bytes; move the output directory away and start afresh");
                }
                return;
            }
            long size = Files.size(file);
            if (size < length) {
                throw new IllegalStateException(file + " has " + size + " bytes but the journal says it held "
                        + length + "; the file was changed outside the run. Move the output directory away and "
                        + "start afresh");
            }
            if (size > length) {
                LOG.info("{}: dropping {} bytes written after the last finished problem ({})", file, size - length,
                        why == null ? "not journaled" : why);
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(length);
                    channel.force(true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot truncate " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return null;
        }
        try {
            JsonElement e = JsonParser.parseString(text);
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }
}
