package ai.redstar.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes safetensors files that the reference implementation (and so {@code transformers}) reads: tensors sorted
 * by descending dtype alignment then name, the header JSON padded with spaces to a multiple of 8 bytes, data
 * little-endian and C-ordered, exactly as the safetensors Rust crate lays them out.
 *
 * <p>Thread-safe (stateless); the arrays written must not be modified or closed while a write runs.
 */
public final class Safetensors {
    /** Largest piece of a tensor copied out of DJL, and the size of the write buffer. */
    static final int PIECE_BYTES = 16 << 20;
    /** Elements converted per step between a piece and the write buffer. */
    private static final int BLOCK = 8192;

    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().create();

    private Safetensors() {}

    /**
     * Writes {@code tensors} to {@code file}, through a temporary file in the same folder renamed over
     * {@code file} once complete and flushed to disk, so {@code file} is never seen half-written. The data is
     * streamed piece by piece (never held whole in memory); files and tensors over 2 GiB work.
     *
     * <p>Floating arrays (FLOAT32, FLOAT16 or FLOAT64) are stored as {@code floatStorage}: F32 bit-exact from
     * FLOAT32, F16 and BF16 narrowed in Java, rounding to nearest even as {@code tensor.to(dtype)} does in PyTorch
     * (FLOAT64 is rounded to float32 first, as PyTorch does). Integer and boolean arrays are stored as they are
     * (INT64 as I64, INT32 as I32, INT8 as I8, UINT8 as U8, BOOLEAN as BOOL).
     *
     * @param file the file to create or replace; its folder must exist
     * @param tensors name to array; arrays stay owned by the caller and are not modified
     * @param floatStorage F32, F16 or BF16
     * @param metadata the header's {@code __metadata__} (omitted when empty), e.g. {@code {"format": "pt"}}
     * @throws IllegalArgumentException for a name {@code "__metadata__"}, a closed array, an unsupported DJL type
     *     or a {@code floatStorage} other than F32, F16 or BF16
     * @throws CheckpointException naming the file (and tensor) when writing fails; the temporary file is removed
     *     and an existing {@code file} is left as it was
     */
    public static void write(Path file, Map<String, NDArray> tensors, TensorDtype floatStorage,
            Map<String, String> metadata) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(floatStorage, "floatStorage");
        Objects.requireNonNull(metadata, "metadata");
        if (floatStorage != TensorDtype.F32 && floatStorage != TensorDtype.F16 && floatStorage != TensorDtype.BF16) {
            throw new IllegalArgumentException("floatStorage must be F32, F16 or BF16, got " + floatStorage);
        }
        List<Planned> plan = plan(tensors, floatStorage);
        byte[] header = header(plan, metadata);

        Path parent = file.toAbsolutePath().getParent();
        Path temporary;
        try {
            temporary = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot create a temporary file beside it: " + e, e);
        }
        String current = null;
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer out = ByteBuffer.allocateDirect(PIECE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                out.putLong(header.length);
                out.put(header, 0, Math.min(header.length, out.remaining()));
                int written = Math.min(header.length, PIECE_BYTES - 8);
                while (written < header.length) {
                    flush(channel, out);
                    int n = Math.min(header.length - written, out.remaining());
                    out.put(header, written, n);
                    written += n;
                }
                for (Planned p : plan) {
                    current = p.name;
                    writeTensor(channel, out, p);
                }
                current = null;
                flush(channel, out);
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(temporary, e);
            throw new CheckpointException(file, current, "cannot be written: " + e, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temporary, e);
            throw e;
        }
    }

    /** One tensor as it will be stored. */
    private record Planned(String name, NDArray array, DataType source, TensorDtype stored, long[] shape,
            long byteLength) {}

    private static List<Planned> plan(Map<String, NDArray> tensors, TensorDtype floatStorage) {
        List<Planned> plan = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            NDArray array = Objects.requireNonNull(e.getValue(), () -> "array of tensor '" + name + "'");
            if (name.equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved in safetensors headers; rename it");
            }
            if (array.isReleased()) {
                throw new IllegalArgumentException("array of tensor '" + name + "' is closed");
            }
            DataType source = array.getDataType();
            TensorDtype stored;
            try {
                stored = TensorDtype.forStorage(source, floatStorage);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("tensor '" + name + "': " + ex.getMessage(), ex);
            }
            long[] shape = array.getShape().getShape();
            long count = array.getShape().size();
            plan.add(new Planned(name, array, source, stored, shape, Math.multiplyExact(count, stored.byteSize())));
        }
        plan.sort(Comparator.comparingInt((Planned p) -> -p.stored.referenceRank()).thenComparing(Planned::name));
        return plan;
    }

    /** The header JSON, padded with spaces to a multiple of 8 bytes as the reference writer does. */
    private static byte[] header(List<Planned> plan, Map<String, String> metadata) {
        JsonObject root = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach((k, v) -> m.addProperty(Objects.requireNonNull(k, "metadata key"),
                    Objects.requireNonNull(v, () -> "metadata value of " + k)));
            root.add("__metadata__", m);
        }
        long offset = 0;
        for (Planned p : plan) {
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", p.stored.safetensorsName());
            JsonArray shape = new JsonArray();
            for (long d : p.shape) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + p.byteLength);
            entry.add("data_offsets", offsets);
            root.add(p.name, entry);
            offset += p.byteLength;
        }
        byte[] json = COMPACT.toJson(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        if (padded > SafetensorsFile.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the header would take %d bytes, over the format's limit of %d: write fewer tensors per file",
                    padded, SafetensorsFile.MAX_HEADER_BYTES));
        }
        byte[] result = new byte[padded];
        System.arraycopy(json, 0, result, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            result[i] = ' ';
        }
        return result;
    }

    private static void writeTensor(FileChannel channel, ByteBuffer out, Planned p) throws IOException {
        long count = p.array.getShape().size();
        if (count == 0) {
            return;
        }
        long sourceBytes = count * p.source.getNumOfBytes();
        if (p.shape.length == 0 || sourceBytes <= PIECE_BYTES) {
            writePiece(channel, out, p, p.array);
            return;
        }
        long rows = p.shape[0];
        long rowBytes = sourceBytes / rows;
        if (rowBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "tensor '%s': one row of shape %s takes %d bytes; rows over 2 GiB cannot be written",
                    p.name, new Shape(p.shape), rowBytes));
        }
        long rowsPerPiece = Math.max(1, PIECE_BYTES / rowBytes);
        for (long row = 0; row < rows; row += rowsPerPiece) {
            try (NDArray piece = p.array.get(new NDIndex("{}:{}", row, Math.min(rows, row + rowsPerPiece)))) {
                writePiece(channel, out, p, piece);
            }
        }
    }

    /** Converts one C-ordered piece of a tensor to its stored type and appends it through {@code out}. */
    private static void writePiece(FileChannel channel, ByteBuffer out, Planned p, NDArray piece)
            throws IOException {
        ByteBuffer src = piece.toByteBuffer().order(ByteOrder.nativeOrder()); // DJL copies out native-order bytes
        switch (p.stored) {
            case F32, F16, BF16 -> writeFloats(channel, out, p.source, p.stored, src);
            case I64 -> {
                var s = src.asLongBuffer();
                while (s.hasRemaining()) {
                    room(channel, out, 8);
                    out.putLong(s.get());
                }
            }
            case I32 -> copyInts(channel, out, src.asIntBuffer());
            case I16 -> {
                ShortBuffer s = src.asShortBuffer();
                while (s.hasRemaining()) {
                    room(channel, out, 2);
                    out.putShort(s.get());
                }
            }
            case I8, U8, BOOL -> {
                while (src.hasRemaining()) {
                    room(channel, out, 1);
                    int n = Math.min(out.remaining(), src.remaining());
                    ByteBuffer part = src.slice().limit(n);
                    out.put(part);
                    src.position(src.position() + n);
                }
            }
            default -> throw new AssertionError(p.stored);
        }
    }

    private static void writeFloats(FileChannel channel, ByteBuffer out, DataType source, TensorDtype stored,
            ByteBuffer src) throws IOException {
        if (source == DataType.FLOAT32 && stored == TensorDtype.F32) {
            copyInts(channel, out, src.asIntBuffer()); // bit-exact, NaN payloads included
            return;
        }
        if (source == DataType.FLOAT16 && stored == TensorDtype.F16) {
            ShortBuffer s = src.asShortBuffer();
            while (s.hasRemaining()) {
                room(channel, out, 2);
                out.putShort(s.get());
            }
            return;
        }
        long remaining = src.remaining() / source.getNumOfBytes();
        FloatBuffer floats = source == DataType.FLOAT32 ? src.asFloatBuffer() : null;
        DoubleBuffer doubles = source == DataType.FLOAT64 ? src.asDoubleBuffer() : null;
        ShortBuffer halves = source == DataType.FLOAT16 ? src.asShortBuffer() : null;
        if (floats == null && doubles == null && halves == null) {
            throw new AssertionError(source);
        }
        float[] block = new float[BLOCK];
        double[] wide = doubles == null ? null : new double[BLOCK];
        short[] narrow = new short[BLOCK];
        while (remaining > 0) {
            int n = (int) Math.min(BLOCK, remaining);
            if (floats != null) {
                floats.get(block, 0, n);
            } else if (doubles != null) {
                doubles.get(wide, 0, n);
                for (int i = 0; i < n; i++) {
                    block[i] = (float) wide[i]; // round to nearest even, as torch's double -> float
                }
            } else {
                halves.get(narrow, 0, n);
                for (int i = 0; i < n; i++) {
                    block[i] = HalfFloats.f16ToFloat(narrow[i]);
                }
            }
            if (stored == TensorDtype.F32) {
                room(channel, out, 4 * n);
                out.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(block, 0, n);
                out.position(out.position() + 4 * n);
            } else {
                for (int i = 0; i < n; i++) {
                    narrow[i] = stored == TensorDtype.BF16
                            ? HalfFloats.floatToBf16(block[i])
                            : HalfFloats.floatToF16(block[i]);
                }
                room(channel, out, 2 * n);
                out.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(narrow, 0, n);
                out.position(out.position() + 2 * n);
            }
            remaining -= n;
        }
    }

    private static void copyInts(FileChannel channel, ByteBuffer out, IntBuffer s) throws IOException {
        while (s.hasRemaining()) {
            room(channel, out, 4);
            int n = Math.min(out.remaining() / 4, s.remaining());
            IntBuffer target = out.slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            target.put(s.slice().limit(n));
            s.position(s.position() + n);
            out.position(out.position() + n * 4);
        }
    }

    private static void room(FileChannel channel, ByteBuffer out, int bytes) throws IOException {
        if (out.remaining() < bytes) {
            flush(channel, out);
        }
    }

    private static void flush(FileChannel channel, ByteBuffer out) throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
    }

    private static void deleteQuietly(Path temporary, Throwable primary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }
}
