package ai.redstar.train;

import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.JsonlReader;
import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records of a JSONL file read by byte offset: an index pass streams the file once (through {@link JsonlReader},
 * which applies the malformed-line policy) and keeps, per valid record, its line's byte offset; records are then
 * read back one line at a time with positional reads. Memory: 8 bytes per record here (plus the lengths
 * {@link SftData} keeps); the file is never held whole.
 */
final class JsonlSource implements SftData.Source {
    private static final Logger LOG = LoggerFactory.getLogger(JsonlSource.class);
    /** Records tokenized together (in parallel) during indexing. */
    private static final int CHUNK = 256;
    private static final int READ_BYTES = 1 << 16;

    private final Path file;
    private final ChatTokenizer tokenizer;
    private final AssistantLoss assistantLoss;
    private final Conversations.Images images;
    private final long[] offsets;
    private final long size;
    private final FileTime modified;

    private JsonlSource(Path file, ChatTokenizer tokenizer, AssistantLoss assistantLoss, Conversations.Images images,
            long[] offsets, long size, FileTime modified) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.assistantLoss = assistantLoss;
        this.images = images;
        this.offsets = offsets;
        this.size = size;
        this.modified = modified;
    }

    /** The result of indexing: the source, and per record its token length and first target. */
    record Indexed(JsonlSource source, int[] lengths, int[] firstTargets, int[] imageCounts, long skipped,
            String fileSha256) {}

    /**
     * Streams the file once: validates every line (JSON, record form, chat template), tokenizes every record to
     * learn its length, hashes the bytes; with {@code images}, checks that every listed image exists and decodes.
     *
     * @throws JsonlException naming file, line and field of the first bad record under {@link MalformedLinePolicy#FAIL}
     * @throws UncheckedIOException when the file cannot be read
     */
    static Indexed index(Path file, ChatTokenizer tokenizer, MalformedLinePolicy policy, AssistantLoss loss,
            Conversations.Images images) {
        long size;
        FileTime modified;
        try {
            size = Files.size(file);
            modified = Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SFT data file " + file + ": " + e.getMessage(), e);
        }
        LongList offsets = new LongList();
        IntList lengths = new IntList();
        IntList firstTargets = new IntList();
        IntList imageCounts = new IntList();
        long skipped = 0;
        String sha;
        try (JsonlReader reader = Jsonl.reader(file, policy);
                OffsetScanner scanner = new OffsetScanner(file);
                Progress progress = Progress.start("index " + file.getFileName(), size)) {
            List<JsonlRecord> chunk = new ArrayList<>(CHUNK);
            List<Long> chunkOffsets = new ArrayList<>(CHUNK);
            while (reader.hasNext()) {
                JsonlRecord record = reader.next();
                chunk.add(record);
                chunkOffsets.add(scanner.lineStart(record.lineNumber()));
                if (chunk.size() == CHUNK) {
                    skipped += tokenizeChunk(chunk, chunkOffsets, tokenizer, loss, images, policy, offsets,
                            lengths, firstTargets, imageCounts);
                    progress.stepTo(scanner.position());
                }
            }
            skipped += tokenizeChunk(chunk, chunkOffsets, tokenizer, loss, images, policy, offsets, lengths,
                    firstTargets, imageCounts);
            skipped += reader.skippedLines();
            sha = scanner.finish();
            progress.stepTo(size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SFT data file " + file + ": " + e.getMessage(), e);
        }
        JsonlSource source = new JsonlSource(file, tokenizer, loss, images, offsets.toArray(), size, modified);
        source.checkUnchanged();
        return new Indexed(source, lengths.toArray(), firstTargets.toArray(), imageCounts.toArray(), skipped, sha);
    }

    private static long tokenizeChunk(List<JsonlRecord> chunk, List<Long> chunkOffsets, ChatTokenizer tokenizer,
            AssistantLoss loss, Conversations.Images images, MalformedLinePolicy policy, LongList offsets,
            IntList lengths, IntList firstTargets, IntList imageCounts) {
        int n = chunk.size();
        TokenizedExample[] examples = new TokenizedExample[n];
        JsonlException[] errors = new JsonlException[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            JsonlRecord record = chunk.get(i);
            try {
                examples[i] = Conversations.tokenize(record, Conversations.of(record, images, true), tokenizer, loss,
                        images);
            } catch (JsonlException e) {
                errors[i] = e;
            }
        });
        long skipped = 0;
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) {
                if (policy == MalformedLinePolicy.FAIL) {
                    throw errors[i];
                }
                LOG.warn("skipped: {}", errors[i].getMessage());
                skipped++;
                continue;
            }
            offsets.add(chunkOffsets.get(i));
            lengths.add(examples[i].length());
            firstTargets.add(examples[i].firstTarget());
            imageCounts.add(examples[i].images().size());
        }
        chunk.clear();
        chunkOffsets.clear();
        return skipped;
    }

    @Override
    public List<TokenizedExample> examples(int[] indices) {
        checkUnchanged();
        List<TokenizedExample> out = new ArrayList<>(indices.length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int index : indices) {
                out.add(read(channel, index));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SFT data file " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private TokenizedExample read(FileChannel channel, int index) throws IOException {
        long offset = offsets[index];
        byte[] line = readLine(channel, offset);
        int start = 0;
        int end = line.length;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        if (offset == 0 && end >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB
                && (line[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        JsonElement element;
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, start, end - start)).toString();
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            element = JsonParser.parseReader(reader);
        } catch (CharacterCodingException | JsonParseException e) {
            throw changed(index, e);
        }
        if (!element.isJsonObject()) {
            throw changed(index, null);
        }
        // The line number is only needed for an error message, and finding it costs a scan: the record was valid when
        // indexed, so number it 1 and, should it fail now, number it properly and fail again with the right line.
        JsonlRecord record = new JsonlRecord(file, 1, element.getAsJsonObject());
        try {
            return Conversations.tokenize(record, Conversations.of(record, images, false), tokenizer, assistantLoss,
                    images);
        } catch (JsonlException e) {
            JsonlRecord numbered = new JsonlRecord(file, lineNumber(offset), element.getAsJsonObject());
            Conversations.tokenize(numbered, Conversations.of(numbered, images, true), tokenizer, assistantLoss,
                    images);
            throw e;
        }
    }

    private static byte[] readLine(FileChannel channel, long offset) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
        byte[] line = new byte[0];
        int length = 0;
        long position = offset;
        while (true) {
            buffer.clear();
            int n = channel.read(buffer, position);
            if (n <= 0) {
                break;
            }
            byte[] bytes = buffer.array();
            int newline = -1;
            for (int i = 0; i < n; i++) {
                if (bytes[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int take = newline < 0 ? n : newline;
            if (length + take > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, length + take));
            }
            System.arraycopy(bytes, 0, line, length, take);
            length += take;
            if (newline >= 0) {
                break;
            }
            position += n;
        }
        return Arrays.copyOf(line, length);
    }

    /**
     * The 1-based line number of the line starting at {@code offset}, for messages: the first call scans the file
     * once (keeping every 4096th line start), each call then reads from the nearest kept line start.
     */
    private long lineNumber(long offset) {
        return lineNumbers().lineOf(offset);
    }

    private LineNumbers lineNumbers;

    private synchronized LineNumbers lineNumbers() {
        if (lineNumbers == null) {
            lineNumbers = new LineNumbers(file);
        }
        return lineNumbers;
    }

    @Override
    public String describe(int index) {
        return file + " line " + lineNumber(offsets[index]);
    }

    /** Fails when the file's size or modification time differ from when it was indexed. */
    void checkUnchanged() {
        try {
            long nowSize = Files.size(file);
            FileTime nowModified = Files.getLastModifiedTime(file);
            if (nowSize != size || !nowModified.equals(modified)) {
                throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                        "SFT data file %s changed since it was indexed (size %d -> %d bytes, modified %s -> %s);"
                                + " index it again with SftData.fromJsonl", file, size, nowSize, modified,
                        nowModified));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SFT data file " + file + ": " + e.getMessage(), e);
        }
    }

    private IllegalStateException changed(int index, Exception cause) {
        return new IllegalStateException("record " + index + " of " + file + " at byte " + offsets[index]
                + " no longer parses as it did when indexed; the file changed, index it again", cause);
    }

    /**
     * Line numbers by byte offset, computed on first use by one pass over the file that keeps the offset of every
     * 4096th line (bounded memory); a lookup then reads from the nearest checkpoint.
     */
    private static final class LineNumbers {
        private static final int EVERY = 4096;
        private final Path file;
        private final long[] checkpoints;

        LineNumbers(Path file) {
            this.file = file;
            LongList marks = new LongList();
            marks.add(0);
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[READ_BYTES];
                long position = 0;
                long line = 1;
                int n;
                while ((n = in.read(buffer)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            line++;
                            if ((line - 1) % EVERY == 0) {
                                marks.add(position + i + 1);
                            }
                        }
                    }
                    position += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read SFT data file " + file + ": " + e.getMessage(), e);
            }
            this.checkpoints = marks.toArray();
        }

        long lineOf(long offset) {
            int k = Arrays.binarySearch(checkpoints, offset);
            if (k < 0) {
                k = -k - 2;
            }
            long line = (long) k * EVERY + 1;
            long position = checkpoints[k];
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
                while (position < offset) {
                    buffer.clear();
                    int n = channel.read(buffer, position);
                    if (n <= 0) {
                        break;
                    }
                    int limit = (int) Math.min(n, offset - position);
                    for (int i = 0; i < limit; i++) {
                        if (buffer.get(i) == '\n') {
                            line++;
                        }
                    }
                    position += limit;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read SFT data file " + file + ": " + e.getMessage(), e);
            }
            return line;
        }
    }

    /** Reads the file sequentially, hashing it, and finds where lines start. */
    private static final class OffsetScanner implements Closeable {
        private final InputStream in;
        private final MessageDigest digest;
        private final byte[] buffer = new byte[READ_BYTES];
        private int position;
        private int limit;
        private long consumed;
        private long line = 1;
        private long lineStart;

        OffsetScanner(Path file) throws IOException {
            this.in = Files.newInputStream(file);
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available in this JVM", e);
            }
        }

        /** The byte offset where 1-based line {@code target} starts; lines must be asked in increasing order. */
        long lineStart(long target) throws IOException {
            while (line < target) {
                if (position == limit && !fill()) {
                    throw new IllegalStateException("the file ended before line " + target
                            + " while it was being indexed; was it being written?");
                }
                int newline = -1;
                for (int i = position; i < limit; i++) {
                    if (buffer[i] == '\n') {
                        newline = i;
                        break;
                    }
                }
                if (newline < 0) {
                    consumed += limit - position;
                    position = limit;
                } else {
                    consumed += newline + 1 - position;
                    position = newline + 1;
                    line++;
                    lineStart = consumed;
                }
            }
            return lineStart;
        }

        long position() {
            return consumed;
        }

        /** Reads the rest and returns the SHA-256 of the whole file, in hex. */
        String finish() throws IOException {
            while (fill()) {
                position = limit;
            }
            return HexFormat.of().formatHex(digest.digest());
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                position = 0;
                limit = 0;
                return false;
            }
            digest.update(buffer, 0, n);
            position = 0;
            limit = n;
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** A growable long array. */
    private static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] values = new int[1024];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
