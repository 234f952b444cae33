package ai.redstar.core.jsonl;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the records of a JSONL file one line at a time; the file is never held in memory whole.
 *
 * <p>Each non-blank line must be one JSON object in strict JSON (RFC 8259: no comments, single quotes, unquoted
 * names or NaN), encoded in UTF-8; lines end with {@code \n} or {@code \r\n}; a UTF-8 byte order mark at the start
 * is ignored; lines holding only whitespace are skipped. A line that breaks these rules is handled by the
 * {@link MalformedLinePolicy}: {@code FAIL} throws a {@link JsonlException} naming the file, the line and the parse
 * problem, {@code SKIP} logs it and counts it in {@link #skippedLines()}. A line longer than
 * {@link #MAX_LINE_BYTES} is malformed.
 *
 * <p>Use in try-with-resources; {@link #stream()} gives a {@link Stream} that closes the reader when it is closed.
 * An I/O failure is thrown as {@link UncheckedIOException} naming the file and line. Not thread-safe.
 */
public final class JsonlReader implements Iterator<JsonlRecord>, Closeable {
    /** The longest line accepted, in bytes (256 MiB). */
    public static final int MAX_LINE_BYTES = 256 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(JsonlReader.class);
    private static final int BUFFER_BYTES = 1 << 16;

    private final Path file;
    private final MalformedLinePolicy policy;
    private final int maxLineBytes;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int bufferPosition;
    private int bufferLimit;
    private InputStream in;
    private byte[] line = new byte[256];
    private int lineLength;
    private long lineNumber;
    private long skipped;
    private JsonlRecord pending;
    private boolean finished;

    JsonlReader(Path file, MalformedLinePolicy policy, int maxLineBytes) {
        this.file = Objects.requireNonNull(file, "file");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.maxLineBytes = maxLineBytes;
        try {
            this.in = Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open JSONL file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file being read, as given. */
    public Path file() {
        return file;
    }

    /** How many malformed lines were skipped so far (always 0 under {@link MalformedLinePolicy#FAIL}). */
    public long skippedLines() {
        return skipped;
    }

    /** The number of the last line read (0 before the first). */
    public long lineNumber() {
        return lineNumber;
    }

    @Override
    public boolean hasNext() {
        if (pending != null) {
            return true;
        }
        while (!finished) {
            pending = readRecord();
            if (pending != null) {
                return true;
            }
        }
        close();
        return false;
    }

    @Override
    public JsonlRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more records in " + file + " (read " + lineNumber + " lines)");
        }
        JsonlRecord record = pending;
        pending = null;
        return record;
    }

    /** The remaining records as a sequential stream; closing the stream closes this reader. */
    public Stream<JsonlRecord> stream() {
        Spliterator<JsonlRecord> spliterator =
                Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(spliterator, false).onClose(this::close);
    }

    /** Closes the file; idempotent. */
    @Override
    public void close() {
        finished = true;
        pending = null;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close JSONL file " + file + ": " + e.getMessage(), e);
            } finally {
                in = null;
            }
        }
    }

    /** Reads one physical line; returns its record, or null for a blank or skipped line or the end of the file. */
    private JsonlRecord readRecord() {
        if (in == null) {
            finished = true;
            return null;
        }
        boolean tooLong;
        try {
            tooLong = readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read JSONL file " + file + " at line " + (lineNumber + 1) + ": " + e.getMessage(), e);
        }
        if (finished && lineLength == 0 && !tooLong) {
            close();
            return null;
        }
        lineNumber++;
        if (tooLong) {
            return malformed("line is longer than " + maxLineBytes + " bytes", null);
        }
        int start = 0;
        int end = lineLength;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        if (lineNumber == 1 && end >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB
                && (line[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        String text;
        try {
            CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(line, start, end - start));
            text = chars.toString();
        } catch (CharacterCodingException e) {
            return malformed("not valid UTF-8 (" + e.getMessage() + ")", e);
        }
        if (text.isBlank()) {
            return null;
        }
        JsonElement element;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            element = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                return malformed("malformed JSON: more text after the JSON value at " + reader.getPath(), null);
            }
        } catch (JsonParseException | IOException | IllegalStateException e) {
            return malformed("malformed JSON: " + firstLine(e.getMessage()), e);
        } catch (StackOverflowError e) {
            return malformed("malformed JSON: nested too deeply", null);
        }
        if (!element.isJsonObject()) {
            return malformed("expected a JSON object, found " + JsonlRecord.describe(element), null);
        }
        JsonObject object = element.getAsJsonObject();
        return new JsonlRecord(file, lineNumber, object);
    }

    private JsonlRecord malformed(String problem, Throwable cause) {
        if (policy == MalformedLinePolicy.FAIL) {
            throw new JsonlException(file, lineNumber, problem, cause);
        }
        skipped++;
        LOG.warn("{} line {}: skipped: {}", file, lineNumber, problem);
        return null;
    }

    /**
     * Reads bytes up to and excluding the next {@code \n} into {@link #line}. Sets {@link #finished} at the end of
     * the file. Returns whether the line was longer than the limit (its bytes are then dropped).
     */
    private boolean readLine() throws IOException {
        lineLength = 0;
        boolean tooLong = false;
        while (true) {
            if (bufferPosition == bufferLimit) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    finished = true;
                    return tooLong;
                }
                bufferPosition = 0;
                bufferLimit = n;
            }
            int newline = -1;
            for (int i = bufferPosition; i < bufferLimit; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int chunkEnd = newline < 0 ? bufferLimit : newline;
            int chunk = chunkEnd - bufferPosition;
            if (!tooLong) {
                if ((long) lineLength + chunk > maxLineBytes) {
                    tooLong = true;
                    lineLength = 0;
                } else {
                    if (lineLength + chunk > line.length) {
                        long grown = Math.max((long) line.length * 2, (long) lineLength + chunk);
                        line = Arrays.copyOf(line, (int) Math.min(grown, maxLineBytes));
                    }
                    System.arraycopy(buffer, bufferPosition, line, lineLength, chunk);
                    lineLength += chunk;
                }
            }
            if (newline >= 0) {
                bufferPosition = newline + 1;
                return tooLong;
            }
            bufferPosition = bufferLimit;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
