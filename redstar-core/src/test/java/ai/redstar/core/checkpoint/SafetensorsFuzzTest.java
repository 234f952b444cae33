package ai.redstar.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Untrusted files: whatever the bytes, {@link SafetensorsFile} either reads every tensor correctly or throws a
 * {@link CheckpointException} with a message naming the file — never another exception, a JVM abort or a hang.
 */
class SafetensorsFuzzTest {
    private static Path dir;
    private static NDManager manager;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("safetensors-fuzz");
        manager = NDManager.newBaseManager();
    }

    @AfterContainer
    static void tearDown() throws IOException {
        manager.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Property(tries = 300)
    void open_arbitraryBytes_readsOrThrowsCheckpointException(@ForAll("bytes") byte[] content) throws IOException {
        check(content);
    }

    @Property(tries = 400)
    void open_arbitraryHeaders_readsOrThrowsCheckpointException(@ForAll("files") byte[] content) throws IOException {
        check(content);
    }

    @Property(tries = 200)
    void open_mutatedValidFiles_readsOrThrowsCheckpointException(@ForAll("mutated") byte[] content)
            throws IOException {
        check(content);
    }

    private static void check(byte[] content) throws IOException {
        Path file = dir.resolve("fuzz.safetensors");
        Files.write(file, content);
        SafetensorsFile f;
        try {
            f = SafetensorsFile.open(file);
        } catch (CheckpointException e) {
            assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().length() > file.toString().length()
                    + 4, e.getMessage());
            return;
        }
        try (f; NDManager scope = manager.newSubManager()) {
            for (TensorInfo info : f.tensors().values()) {
                verifyRead(f, info, content, scope);
            }
        }
    }

    /** Reads {@code info} and compares it with an independent decoding of the file's bytes. */
    private static void verifyRead(SafetensorsFile f, TensorInfo info, byte[] content, NDManager scope) {
        int count = (int) info.elementCount();
        ByteBuffer raw = ByteBuffer.wrap(content, (int) info.offset(), (int) info.length()).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        NDArray array = f.read(info.name(), scope);
        assertEquals(info.shape(), array.getShape());
        assertEquals(info.dtype().djlType(), array.getDataType());
        switch (info.dtype()) {
            case F32, F16, BF16, F64 -> {
                int[] expected = new int[count];
                for (int i = 0; i < count; i++) {
                    float value = switch (info.dtype()) {
                        case F32 -> raw.getFloat(4 * i);
                        case F64 -> (float) raw.getDouble(8 * i);
                        case F16 -> HalfFloats.f16ToFloat(raw.getShort(2 * i));
                        default -> HalfFloats.bf16ToFloat(raw.getShort(2 * i));
                    };
                    expected[i] = Float.floatToRawIntBits(value);
                }
                assertArrayEquals(expected, bits(array.toFloatArray()), info.name());
                assertArrayEquals(expected, bits(f.readFloats(info.name())), info.name());
            }
            case I64 -> {
                long[] expected = new long[count];
                for (int i = 0; i < count; i++) {
                    expected[i] = raw.getLong(8 * i);
                }
                assertArrayEquals(expected, array.toLongArray());
            }
            case I32, I16 -> {
                int[] expected = new int[count];
                for (int i = 0; i < count; i++) {
                    expected[i] = info.dtype() == TensorDtype.I32 ? raw.getInt(4 * i) : raw.getShort(2 * i);
                }
                assertArrayEquals(expected, array.toIntArray());
            }
            case I8, U8 -> {
                byte[] expected = new byte[count];
                raw.get(expected);
                assertArrayEquals(expected, array.toByteArray());
            }
            case BOOL -> {
                boolean[] expected = new boolean[count];
                for (int i = 0; i < count; i++) {
                    expected[i] = raw.get(i) != 0;
                }
                assertArrayEquals(expected, array.toBooleanArray());
            }
        }
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> plausiblePrefix = Combinators.combine(Arbitraries.longs().between(0, 300),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300)).as((n, rest) -> ByteBuffer
                        .allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put(rest).array());
        return Arbitraries.oneOf(any, plausiblePrefix);
    }

    private static final List<String> DTYPES = List.of("F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8",
            "BOOL", "F8_E4M3", "U16", "f32", "");

    /** One declared tensor: dtype name, shape, and how its offsets are derived. */
    private record Decl(String dtype, List<Integer> shape, int offsetNoise, boolean offsetsAsText) {}

    @Provide
    Arbitrary<byte[]> files() {
        Arbitrary<Decl> decl = Combinators.combine(
                Arbitraries.frequencyOf(Tuple.of(30, Arbitraries.of(DTYPES.subList(0, 10))),
                        Tuple.of(1, Arbitraries.of(DTYPES))),
                Arbitraries.integers().between(0, 4).list().ofMaxSize(3),
                Arbitraries.frequency(Tuple.of(60, 0), Tuple.of(1, -1),
                        Tuple.of(1, 1), Tuple.of(1, 8)),
                Arbitraries.frequency(Tuple.of(60, false), Tuple.of(1, true)))
                .as(Decl::new);
        Arbitrary<Integer> trailing = Arbitraries.frequency(Tuple.of(30, 0),
                Tuple.of(1, -1), Tuple.of(1, 3));
        Arbitrary<Boolean> metadata = Arbitraries.of(true, false);
        return Combinators.combine(decl.list().ofMaxSize(5), trailing, metadata, Arbitraries.longs())
                .as(SafetensorsFuzzTest::build);
    }

    private static byte[] build(List<Decl> decls, int trailing, boolean metadata, long seed) {
        StringBuilder json = new StringBuilder("{");
        if (metadata) {
            json.append("\"__metadata__\":{\"format\":\"pt\"}");
        }
        long offset = 0;
        for (int i = 0; i < decls.size(); i++) {
            Decl d = decls.get(i);
            long elements = 1;
            for (int dim : d.shape) {
                elements *= dim;
            }
            int size = TensorDtype.fromSafetensorsName(d.dtype).map(TensorDtype::byteSize).orElse(4);
            long begin = offset;
            long end = begin + elements * size + d.offsetNoise;
            if (json.length() > 1) {
                json.append(',');
            }
            json.append("\"t").append(i).append("\":{\"dtype\":\"").append(d.dtype).append("\",\"shape\":")
                    .append(d.shape.toString().replace(" ", "")).append(",\"data_offsets\":")
                    .append(d.offsetsAsText ? "[\"" + begin + "\"," + end + "]" : "[" + begin + "," + end + "]")
                    .append('}');
            offset = Math.max(offset, end);
        }
        json.append('}');
        while (json.length() % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int data = (int) Math.max(0, offset + trailing);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        java.util.Random random = new java.util.Random(seed);
        byte[] payload = new byte[data];
        random.nextBytes(payload);
        b.put(payload);
        return b.array();
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> valid = files().filter(SafetensorsFuzzTest::opens);
        Arbitrary<List<Integer>> positions = Arbitraries.integers().between(0, 10_000).list().ofMinSize(1).ofMaxSize(4);
        return Combinators.combine(valid, positions, Arbitraries.bytes(), Arbitraries.of(true, false))
                .as((content, at, value, truncate) -> {
                    byte[] copy = content.clone();
                    if (truncate) {
                        return java.util.Arrays.copyOf(copy, at.get(0) % (copy.length + 1));
                    }
                    for (int p : at) {
                        copy[p % copy.length] ^= (byte) (value == 0 ? 1 : value);
                    }
                    return copy;
                });
    }

    private static boolean opens(byte[] content) {
        try {
            Path file = Files.createTempFile(dir, "probe", ".safetensors");
            try {
                Files.write(file, content);
                SafetensorsFile.open(file).close();
                return true;
            } finally {
                Files.delete(file);
            }
        } catch (CheckpointException | IOException e) {
            return false;
        }
    }

    /** Keeps the generator honest: a fuzzer whose files are nearly all invalid would test little. */
    @Property(tries = 100)
    void generatedHeaders_areMostlyValid(@ForAll("files") byte[] content) {
        Statistics.label("opens").collect(opens(content));
        Statistics.label("opens").coverage(checker -> checker.check(true).percentage(p -> p > 30));
    }
}
