package ai.redstar.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code .safetensors} file opened for reading, without reading it whole: {@link #open(Path)} reads and
 * validates the header only; {@link #read(String, NDManager)} memory-maps the region of one tensor when it is read
 * (in pieces of at most 64 MiB, so files and tensors larger than 2 GiB work).
 *
 * <p>The format (<a href="https://github.com/huggingface/safetensors">huggingface/safetensors</a>): an 8-byte
 * little-endian unsigned header length {@code N}, {@code N} bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end)}} (offsets relative to the first byte after the header) and
 * an optional {@code "__metadata__"} map of strings, then the little-endian, C-ordered tensor data. {@link #open}
 * checks what the reference reader checks, and reports each failure as a {@link CheckpointException} naming the
 * file and, where one is at fault, the tensor: header length at most 100,000,000 bytes and within the file; strict
 * JSON in valid UTF-8 starting with {@code '{'}; no name twice; supported dtype; non-negative integer dimensions
 * and offsets; {@code end - begin == product(shape) * bytes(dtype)} without overflow; the tensors' byte ranges
 * tile the data region exactly (no overlap, no gap, nothing after the last tensor, nothing missing — a truncated
 * file fails here).
 *
 * <p>Thread-safe: reads may be called from several threads (they are serialized internally); {@link #close()}
 * makes later reads fail with {@link IllegalStateException}. Arrays returned by {@link #read} belong to the
 * caller's manager and never alias the file.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The reference implementation's cap on the header length (bytes). */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Largest number of dimensions accepted in a header (PyTorch allows 64). */
    static final int MAX_RANK = 64;
    /** Largest piece of the file mapped at once, and size of the staging buffer handed to DJL. */
    static final int PIECE_BYTES = 64 << 20;
    /** Largest element count {@link #readFloats} can return (the JVM's array limit, with margin). */
    static final long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8L;
    /** Elements converted per step between the mapped file and the output. */
    private static final int BLOCK = 8192;

    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");
    private static final String SUPPORTED = "F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL";

    private final Path file;
    private final FileChannel channel;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final Object lock = new Object();
    private boolean closed; // guarded by lock

    private SafetensorsFile(Path file, FileChannel channel, Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens {@code file} and validates its header (the tensor data is not read).
     *
     * @throws CheckpointException naming the file (and the tensor, where one is at fault) when the file cannot be
     *     opened or its header is corrupt, truncated or unsupported
     */
    public static SafetensorsFile open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, null, Files.exists(file)
                    ? "is not a regular file"
                    : "does not exist");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot be opened: " + e, e);
        }
        try {
            long size = channel.size();
            long headerLength = readHeaderLength(file, channel, size);
            String json = readHeaderText(file, channel, headerLength);
            Header header = parseHeader(file, json);
            Map<String, TensorInfo> tensors = validate(file, header, 8 + headerLength, size - 8 - headerLength);
            return new SafetensorsFile(file, channel, tensors, header.metadata);
        } catch (IOException e) {
            closeQuietly(channel, e);
            throw new CheckpointException(file, null, "cannot be read: " + e, e);
        } catch (RuntimeException | Error e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    /** The file this reads. */
    public Path file() {
        return file;
    }

    /** Every tensor of the file, in the order of their data in the file (unmodifiable). */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The header's {@code __metadata__} map (empty when absent; unmodifiable), e.g. {@code {"format": "pt"}}. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads one tensor into a new array owned by {@code manager} (closing the manager frees it; the array does not
     * alias the file). F32, F16, BF16 and F64 tensors become FLOAT32 arrays (16-bit types widened exactly, F64
     * rounded to nearest even, all in Java); I16 becomes INT32; I64, I32, I8, U8 and BOOL keep their type (a
     * non-zero BOOL byte reads as true). The shape is the header's; 0-d and empty tensors are supported.
     *
     * @throws IllegalArgumentException when the file has no tensor {@code name}
     * @throws CheckpointException naming the file and tensor when the tensor has more than 2^31-1 elements, one of
     *     its rows exceeds 2 GiB, or the file cannot be read (e.g. it was truncated after opening)
     * @throws IllegalStateException after {@link #close()}
     */
    public NDArray read(String name, NDManager manager) {
        TensorInfo info = info(name);
        long count = info.elementCount();
        if (count > Integer.MAX_VALUE) {
            throw new CheckpointException(file, name, String.format(Locale.ROOT,
                    "has %d elements; tensors of more than 2^31-1 elements cannot be read into one DJL array", count));
        }
        DataType type = info.dtype().djlType();
        long outBytes = count * type.getNumOfBytes();
        Shape shape = info.shape();
        synchronized (lock) {
            ensureOpen();
            if (outBytes <= PIECE_BYTES || shape.dimension() == 0) {
                ByteBuffer staging = ByteBuffer.allocateDirect((int) outBytes).order(ByteOrder.nativeOrder());
                copyElements(info, 0, count, staging);
                staging.flip();
                // DJL's PyTorch engine wraps a direct buffer without copying: duplicate() gives torch-owned memory,
                // so the array neither aliases our staging buffer nor counts against the JVM's direct-memory cap.
                try (NDArray wrapped = manager.create(staging, shape, type)) {
                    return wrapped.duplicate();
                }
            }
            long rows = shape.get(0);
            long rowBytes = outBytes / rows;
            if (rowBytes > Integer.MAX_VALUE) {
                throw new CheckpointException(file, name, String.format(Locale.ROOT,
                        "one row of shape %s takes %d bytes; rows larger than 2 GiB cannot be read", shape, rowBytes));
            }
            long rowsPerPiece = Math.max(1, PIECE_BYTES / rowBytes);
            ByteBuffer staging = ByteBuffer.allocateDirect((int) (rowsPerPiece * rowBytes))
                    .order(ByteOrder.nativeOrder());
            long rowElements = count / rows;
            NDArray result = manager.create(shape, type);
            try {
                for (long row = 0; row < rows; row += rowsPerPiece) {
                    long end = Math.min(rows, row + rowsPerPiece);
                    staging.clear();
                    copyElements(info, row * rowElements, (end - row) * rowElements, staging);
                    staging.flip();
                    long[] pieceDims = shape.getShape();
                    pieceDims[0] = end - row;
                    try (NDArray piece = manager.create(staging, new Shape(pieceDims), type)) {
                        result.set(new NDIndex("{}:{}", row, end), piece);
                    }
                }
                return result;
            } catch (RuntimeException | Error e) {
                result.close();
                throw e;
            }
        }
    }

    /**
     * Reads one floating-point tensor (F32, F16, BF16 or F64) as float32 values in C order, for use without DJL.
     *
     * @throws IllegalArgumentException when the file has no tensor {@code name} or it is not floating-point
     * @throws CheckpointException naming the file and tensor when the tensor has more than 2^31-9 elements or the
     *     file cannot be read
     * @throws IllegalStateException after {@link #close()}
     */
    public float[] readFloats(String name) {
        TensorInfo info = info(name);
        if (!info.dtype().isFloating()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: tensor '%s' is %s, not a floating-point type; read it with read(name, manager)",
                    file, name, info.dtype().safetensorsName()));
        }
        long count = info.elementCount();
        if (count > MAX_ARRAY_ELEMENTS) {
            throw new CheckpointException(file, name, String.format(Locale.ROOT,
                    "has %d elements; a Java array holds at most %d", count, MAX_ARRAY_ELEMENTS));
        }
        float[] values = new float[(int) count];
        synchronized (lock) {
            ensureOpen();
            copyFloats(info, 0, count, FloatBuffer.wrap(values));
        }
        return values;
    }

    /** Closes the file; idempotent. Arrays already read stay valid. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } catch (IOException e) {
                throw new CheckpointException(file, null, "cannot be closed: " + e, e);
            }
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + tensors.size() + " tensors]";
    }

    private TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: no tensor '%s' in this file (it holds %d tensors)", file, name, tensors.size()));
        }
        return info;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(file + " was closed; open it again to read tensors");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Data: elements [first, first + count) of a tensor, converted to the type DJL gets, in native byte order.

    private void copyElements(TensorInfo info, long first, long count, ByteBuffer out) {
        if (info.dtype().isFloating()) {
            FloatBuffer floats = out.slice().order(out.order()).asFloatBuffer();
            copyFloats(info, first, count, floats);
            out.position(out.position() + Math.toIntExact(count * 4));
            return;
        }
        forEachPiece(info, first, count, src -> {
            switch (info.dtype()) {
                case I64 -> {
                    int n = src.remaining() / 8;
                    out.slice().order(out.order()).asLongBuffer().put(src.asLongBuffer());
                    out.position(out.position() + n * 8);
                }
                case I32 -> {
                    int n = src.remaining() / 4;
                    out.slice().order(out.order()).asIntBuffer().put(src.asIntBuffer());
                    out.position(out.position() + n * 4);
                }
                case I16 -> {
                    ShortBuffer s = src.asShortBuffer();
                    while (s.hasRemaining()) {
                        out.putInt(s.get());
                    }
                }
                case I8, U8 -> out.put(src);
                case BOOL -> {
                    while (src.hasRemaining()) {
                        out.put(src.get() == 0 ? (byte) 0 : (byte) 1);
                    }
                }
                default -> throw new AssertionError(info.dtype());
            }
        });
    }

    private void copyFloats(TensorInfo info, long first, long count, FloatBuffer out) {
        float[] block = new float[BLOCK];
        short[] narrow = info.dtype().byteSize() == 2 ? new short[BLOCK] : null;
        double[] wide = info.dtype() == TensorDtype.F64 ? new double[BLOCK] : null;
        forEachPiece(info, first, count, src -> {
            switch (info.dtype()) {
                case F32 -> out.put(src.asFloatBuffer());
                case F64 -> {
                    DoubleBuffer d = src.asDoubleBuffer();
                    while (d.hasRemaining()) {
                        int n = Math.min(BLOCK, d.remaining());
                        d.get(wide, 0, n);
                        for (int i = 0; i < n; i++) {
                            block[i] = (float) wide[i]; // round to nearest even, as torch's double -> float
                        }
                        out.put(block, 0, n);
                    }
                }
                case BF16, F16 -> {
                    ShortBuffer s = src.asShortBuffer();
                    boolean bf16 = info.dtype() == TensorDtype.BF16;
                    while (s.hasRemaining()) {
                        int n = Math.min(BLOCK, s.remaining());
                        s.get(narrow, 0, n);
                        for (int i = 0; i < n; i++) {
                            block[i] = bf16 ? HalfFloats.bf16ToFloat(narrow[i]) : HalfFloats.f16ToFloat(narrow[i]);
                        }
                        out.put(block, 0, n);
                    }
                }
                default -> throw new AssertionError(info.dtype());
            }
        });
    }

    private interface PieceConsumer {
        void accept(ByteBuffer littleEndianPiece);
    }

    /** Maps the bytes of elements [first, first + count) in pieces of at most {@link #PIECE_BYTES}. */
    private void forEachPiece(TensorInfo info, long first, long count, PieceConsumer consumer) {
        int size = info.dtype().byteSize();
        long position = info.offset() + first * size;
        long remaining = count * size;
        long piece = (PIECE_BYTES / size) * (long) size;
        try {
            while (remaining > 0) {
                long length = Math.min(piece, remaining);
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, position, length);
                consumer.accept(mapped.order(ByteOrder.LITTLE_ENDIAN));
                position += length;
                remaining -= length;
            }
        } catch (ClosedByInterruptException e) {
            // The JDK closes a channel whose reading thread is interrupted; the interrupt flag stays set.
            throw new CheckpointException(file, info.name(), "reading was interrupted; the file is closed and must be"
                    + " opened again", e);
        } catch (ClosedChannelException e) {
            throw new IllegalStateException(file + " was closed while tensor '" + info.name() + "' was read", e);
        } catch (IOException e) {
            throw new CheckpointException(file, info.name(), "cannot be read: " + e, e);
        } catch (InternalError e) {
            // A mapped page beyond the end of a file truncated after open() faults; the JVM reports it this way.
            throw new CheckpointException(file, info.name(),
                    "cannot be read: the file changed or was truncated after it was opened (" + e.getMessage() + ")",
                    e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Header.

    private static long readHeaderLength(Path file, FileChannel channel, long size) throws IOException {
        if (size < 8) {
            throw new CheckpointException(file, null, String.format(Locale.ROOT,
                    "is %d bytes long; a safetensors file starts with an 8-byte header length (truncated file?)",
                    size));
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, prefix, 0);
        long length = prefix.getLong(0);
        if (length < 0 || length > MAX_HEADER_BYTES) {
            throw new CheckpointException(file, null, String.format(Locale.ROOT,
                    "header length %s exceeds the format's limit of %d bytes: not a safetensors file, or corrupt",
                    Long.toUnsignedString(length), MAX_HEADER_BYTES));
        }
        if (length > size - 8) {
            throw new CheckpointException(file, null, String.format(Locale.ROOT,
                    "header length %d runs past the end of the %d-byte file: truncated or not a safetensors file",
                    length, size));
        }
        return length;
    }

    private static String readHeaderText(Path file, FileChannel channel, long length) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) length);
        readFully(channel, bytes, 8);
        bytes.flip();
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, null, "header is not valid UTF-8: " + e, e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    /** What the header declares, before validation against the file. */
    private record Entry(String name, TensorDtype dtype, long[] shape, long begin, long end) {}

    private record Header(List<Entry> entries, Map<String, String> metadata) {}

    private static Header parseHeader(Path file, String json) {
        if (!json.startsWith("{")) {
            throw new CheckpointException(file, null,
                    "header does not start with '{': not a safetensors file, or corrupt");
        }
        JsonReader reader = new JsonReader(new StringReader(json));
        reader.setStrictness(Strictness.STRICT);
        reader.setNestingLimit(MAX_RANK);
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        String current = null;
        try {
            reader.beginObject();
            Set<String> seen = new HashSet<>();
            while (reader.hasNext()) {
                String name = reader.nextName();
                current = name;
                if (!seen.add(name)) {
                    throw new CheckpointException(file, name, "appears twice in the header");
                }
                if (name.equals("__metadata__")) {
                    current = null;
                    parseMetadata(file, reader, metadata);
                } else {
                    entries.add(parseEntry(file, reader, name));
                }
                current = null;
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new CheckpointException(file, null, "header has content after its JSON object");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new CheckpointException(file, current, "header is not valid JSON: " + JsonProblems.describe(e), e);
        }
        return new Header(entries, Collections.unmodifiableMap(metadata));
    }

    private static void parseMetadata(Path file, JsonReader reader, Map<String, String> into) throws IOException {
        JsonToken token = reader.peek();
        if (token == JsonToken.NULL) {
            reader.nextNull();
            return;
        }
        if (token != JsonToken.BEGIN_OBJECT) {
            throw new CheckpointException(file, null, "header field '__metadata__' must be an object of strings, got "
                    + token);
        }
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            if (reader.peek() != JsonToken.STRING) {
                throw new CheckpointException(file, null, String.format(Locale.ROOT,
                        "header field '__metadata__.%s' must be a string, got %s", key, reader.peek()));
            }
            if (into.put(key, reader.nextString()) != null) {
                throw new CheckpointException(file, null,
                        "header field '__metadata__." + key + "' appears twice");
            }
        }
        reader.endObject();
    }

    private static Entry parseEntry(Path file, JsonReader reader, String name) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new CheckpointException(file, name,
                    "header entry must be an object with dtype, shape and data_offsets, got " + reader.peek());
        }
        reader.beginObject();
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> fields = new HashSet<>();
        while (reader.hasNext()) {
            String field = reader.nextName();
            if (!fields.add(field)) {
                throw new CheckpointException(file, name, "header field '" + field + "' appears twice");
            }
            switch (field) {
                case "dtype" -> {
                    if (reader.peek() != JsonToken.STRING) {
                        throw new CheckpointException(file, name, "'dtype' must be a string, got " + reader.peek());
                    }
                    dtypeName = reader.nextString();
                }
                case "shape" -> shape = parseIntegers(file, reader, name, "shape", MAX_RANK);
                case "data_offsets" -> offsets = parseIntegers(file, reader, name, "data_offsets", 2);
                default -> reader.skipValue(); // unknown fields are ignored, as the reference reader does
            }
        }
        reader.endObject();
        for (String required : List.of("dtype", "shape", "data_offsets")) {
            if (!fields.contains(required)) {
                throw new CheckpointException(file, name, "header entry has no '" + required + "'");
            }
        }
        if (offsets.length != 2) {
            throw new CheckpointException(file, name, "'data_offsets' must hold 2 integers [begin, end), got "
                    + Arrays.toString(offsets));
        }
        String dt = dtypeName;
        TensorDtype dtype = TensorDtype.fromSafetensorsName(dtypeName).orElseThrow(() -> new CheckpointException(
                file, name, "dtype '" + dt + "' is not supported; supported: " + SUPPORTED));
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] parseIntegers(Path file, JsonReader reader, String name, String field, int max)
            throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            throw new CheckpointException(file, name,
                    "'" + field + "' must be an array of non-negative integers, got " + reader.peek());
        }
        reader.beginArray();
        long[] values = new long[Math.min(max, 8)];
        int n = 0;
        while (reader.hasNext()) {
            if (n == max) {
                throw new CheckpointException(file, name, String.format(Locale.ROOT,
                        "'%s' holds more than %d values", field, max));
            }
            if (reader.peek() != JsonToken.NUMBER) {
                throw new CheckpointException(file, name, String.format(Locale.ROOT,
                        "'%s' must hold non-negative integers, got %s", field, reader.peek()));
            }
            String text = reader.nextString();
            if (!DIGITS.matcher(text).matches()) {
                throw new CheckpointException(file, name, String.format(Locale.ROOT,
                        "'%s' must hold non-negative integers below 2^63, got %s", field, text));
            }
            long value;
            try {
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new CheckpointException(file, name, String.format(Locale.ROOT,
                        "'%s' holds %s, which is 2^63 or more", field, text), e);
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, Math.min(max, n * 2));
            }
            values[n++] = value;
        }
        reader.endArray();
        return Arrays.copyOf(values, n);
    }

    /** Checks the entries against the data region {@code [0, dataSize)} and returns them in file order. */
    private static Map<String, TensorInfo> validate(Path file, Header header, long dataStart, long dataSize) {
        List<Entry> entries = new ArrayList<>(header.entries);
        for (Entry e : entries) {
            long elements = 1;
            long bytes;
            try {
                for (long d : e.shape) {
                    elements = Math.multiplyExact(elements, d);
                }
                bytes = Math.multiplyExact(elements, e.dtype.byteSize());
            } catch (ArithmeticException overflow) {
                throw new CheckpointException(file, e.name, "shape " + Arrays.toString(e.shape)
                        + " has more elements than a file can hold (overflow)");
            }
            if (e.end < e.begin) {
                throw new CheckpointException(file, e.name, String.format(Locale.ROOT,
                        "data_offsets [%d, %d) end before they begin", e.begin, e.end));
            }
            if (e.end - e.begin != bytes) {
                throw new CheckpointException(file, e.name, String.format(Locale.ROOT,
                        "data_offsets [%d, %d) span %d bytes, but shape %s of %s needs %d bytes",
                        e.begin, e.end, e.end - e.begin, Arrays.toString(e.shape), e.dtype.safetensorsName(), bytes));
            }
            if (e.end > dataSize) {
                throw new CheckpointException(file, e.name, String.format(Locale.ROOT,
                        "data_offsets [%d, %d) run past the end of the data, which holds %d bytes after the header"
                                + " (file of %d bytes): the file is truncated or its header is wrong",
                        e.begin, e.end, dataSize, dataStart + dataSize));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : entries) {
            if (e.begin < expected) {
                throw new CheckpointException(file, e.name, String.format(Locale.ROOT,
                        "data_offsets [%d, %d) overlap tensor '%s' at [%d, %d)",
                        e.begin, e.end, previous.name, previous.begin, previous.end));
            }
            if (e.begin > expected) {
                throw new CheckpointException(file, e.name, String.format(Locale.ROOT,
                        "data_offsets [%d, %d) leave a gap of %d bytes after %s; tensor data must be contiguous",
                        e.begin, e.end, e.begin - expected,
                        previous == null ? "the header" : "tensor '" + previous.name + "'"));
            }
            expected = e.end;
            previous = e;
        }
        if (expected != dataSize) {
            throw new CheckpointException(file, null, String.format(Locale.ROOT,
                    "%d bytes follow the last tensor's data (the tensors cover %d of %d data bytes)",
                    dataSize - expected, expected, dataSize));
        }
        Map<String, TensorInfo> result = new LinkedHashMap<>();
        for (Entry e : entries) {
            result.put(e.name, new TensorInfo(e.name, e.dtype, new Shape(e.shape), file, dataStart + e.begin,
                    e.end - e.begin));
        }
        return Collections.unmodifiableMap(result);
    }

    private static void closeQuietly(FileChannel channel, Throwable primary) {
        try {
            channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }
}
