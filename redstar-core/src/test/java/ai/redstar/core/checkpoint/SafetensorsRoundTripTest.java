package ai.redstar.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static float[] randomFloats(int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = Float.intBitsToFloat(random.nextInt()); // every bit pattern, NaN payloads included
        }
        return values;
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    @Test
    void write_f32_readsBackBitwise_forScalarsEmptyAndNdShapes() {
        List<Shape> shapes = List.of(new Shape(), new Shape(0), new Shape(3, 0, 2), new Shape(1), new Shape(7),
                new Shape(3, 5), new Shape(2, 3, 4), new Shape(1, 1, 1, 5));
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        Map<String, float[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < shapes.size(); i++) {
            Shape shape = shapes.get(i);
            float[] values = randomFloats((int) shape.size(), i);
            tensors.put("t" + i, manager.create(values, shape));
            expected.put("t" + i, values);
        }
        Path file = dir.resolve("a.safetensors");
        Safetensors.write(file, tensors, TensorDtype.F32, Map.of());

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(tensors.keySet(), f.tensors().keySet());
            for (int i = 0; i < shapes.size(); i++) {
                String name = "t" + i;
                TensorInfo info = f.tensors().get(name);
                assertEquals(TensorDtype.F32, info.dtype());
                assertEquals(shapes.get(i), info.shape());
                try (NDArray read = f.read(name, manager)) {
                    assertEquals(DataType.FLOAT32, read.getDataType());
                    assertEquals(shapes.get(i), read.getShape());
                    assertArrayEquals(bits(expected.get(name)), bits(read.toFloatArray()), name);
                }
                assertArrayEquals(bits(expected.get(name)), bits(f.readFloats(name)), name);
            }
            assertTrue(f.metadata().isEmpty());
        }
    }

    @Test
    void write_layout_isTheReferenceOne_sortedPaddedContiguous() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("b", manager.create(new float[] {1, 2}));
        tensors.put("a", manager.create(new float[] {3}));
        tensors.put("ids", manager.create(new long[] {7, 8, 9}));
        tensors.put("mask", manager.create(new boolean[] {true, false, true}));
        Path file = dir.resolve("layout.safetensors");
        Safetensors.write(file, tensors, TensorDtype.BF16, Map.of("format", "pt"));

        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buffer.getLong(0);
        assertEquals(0, n % 8, "header length is a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        // I64 first (largest alignment), then BF16 by name, then BOOL; data offsets tile the buffer.
        assertEquals("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"a\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[24,26]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[26,30]},"
                + "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[30,33]}}", header.stripTrailing());
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
        assertEquals(8 + n + 33, bytes.length);
        int data = (int) (8 + n);
        assertEquals(7L, buffer.getLong(data));
        assertEquals((short) 0x4040, buffer.getShort(data + 24)); // bf16(3)
        assertEquals((short) 0x3f80, buffer.getShort(data + 26)); // bf16(1)
        assertEquals((short) 0x4000, buffer.getShort(data + 28)); // bf16(2)
        assertArrayEquals(new byte[] {1, 0, 1}, java.util.Arrays.copyOfRange(bytes, data + 30, data + 33));

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("ids", "a", "b", "mask"), List.copyOf(f.tensors().keySet()));
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertArrayEquals(new long[] {7, 8, 9}, f.read("ids", manager).toLongArray());
            assertArrayEquals(new boolean[] {true, false, true}, f.read("mask", manager).toBooleanArray());
            assertArrayEquals(new float[] {1, 2}, f.read("b", manager).toFloatArray());
        }
    }

    @Test
    void write_integerTypes_keepTheirType() {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("i64", manager.create(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}));
        tensors.put("i32", manager.create(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, new Shape(3, 1)));
        tensors.put("i8", manager.create(new byte[] {-128, 0, 127}));
        tensors.put("u8", manager.create(ByteBuffer.wrap(new byte[] {(byte) 255, 0, 1}), new Shape(3), DataType.UINT8));
        Path file = dir.resolve("ints.safetensors");
        Safetensors.write(file, tensors, TensorDtype.F16, Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(TensorDtype.I64, f.tensors().get("i64").dtype());
            assertEquals(TensorDtype.I32, f.tensors().get("i32").dtype());
            assertEquals(TensorDtype.U8, f.tensors().get("u8").dtype());
            assertEquals(TensorDtype.I8, f.tensors().get("i8").dtype());
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}, f.read("i64", manager).toLongArray());
            NDArray i32 = f.read("i32", manager);
            assertEquals(new Shape(3, 1), i32.getShape());
            assertArrayEquals(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, i32.toIntArray());
            assertEquals(DataType.UINT8, f.read("u8", manager).getDataType());
            assertArrayEquals(new byte[] {(byte) 255, 0, 1}, f.read("u8", manager).toByteArray());
            assertArrayEquals(new byte[] {-128, 0, 127}, f.read("i8", manager).toByteArray());
            assertThrows(IllegalArgumentException.class, () -> f.readFloats("i64"));
        }
    }

    @Test
    void write_bf16_storesRoundedBitPatterns_andReadsThemWidened() throws IOException {
        float pi = (float) Math.PI;
        float[] values = {1.0f, pi, -2.0f, 0.0f, -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x3f808000), // exactly between 0x3f80 and 0x3f81: ties to even 0x3f80
            Float.intBitsToFloat(0x3f818000), // exactly between 0x3f81 and 0x3f82: ties to even 0x3f82
            Float.intBitsToFloat(0x3f808001), // just above the tie: rounds up to 0x3f81
            Float.MAX_VALUE, // rounds up to infinity
            Float.MIN_VALUE}; // smallest subnormal rounds to +0
        short[] expected = {0x3f80, 0x4049, (short) 0xc000, 0x0000, (short) 0x8000, 0x7f80, (short) 0xff80, 0x7fc0,
            0x3f80, 0x3f82, 0x3f81, 0x7f80, 0x0000};
        short[] stored = writeAndReadRaw(values, TensorDtype.BF16);
        assertArrayEquals(expected, stored);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("h.safetensors"))) {
            float[] read = f.readFloats("x");
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.intBitsToFloat((expected[i] & 0xffff) << 16), read[i], "element " + i);
            }
            assertEquals(3.140625f, read[1]);
        }
    }

    @Test
    void write_f16_storesRoundedBitPatterns_andReadsThemWidened() throws IOException {
        float[] values = {1.0f, (float) Math.PI, -2.0f, 65504f, 65519.99f, 65520f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f,
            0x1p-14f, Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, 1.0f + 0x1p-11f, 1.0f + 0x3p-11f};
        short[] expected = {0x3c00, 0x4248, (short) 0xc000, 0x7bff, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x0001,
            0x0400, 0x7e00, (short) 0xfc00, (short) 0x8000, 0x3c00, 0x3c02};
        short[] stored = writeAndReadRaw(values, TensorDtype.F16);
        assertArrayEquals(expected, stored);
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("h.safetensors"))) {
            float[] read = f.readFloats("x");
            assertEquals(3.140625f, read[1]);
            assertEquals(65504f, read[3]);
            assertEquals(0x1p-24f, read[6]);
            assertTrue(Float.isNaN(read[10]));
            NDArray array = f.read("x", manager);
            assertEquals(DataType.FLOAT32, array.getDataType());
            assertArrayEquals(bits(read), bits(array.toFloatArray()));
        }
    }

    /** Writes {@code values} as tensor "x" stored as {@code storage} and returns the stored 16-bit patterns. */
    private short[] writeAndReadRaw(float[] values, TensorDtype storage) throws IOException {
        Path file = dir.resolve("h.safetensors");
        Safetensors.write(file, Map.of("x", manager.create(values)), storage, Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorInfo info = f.tensors().get("x");
            assertEquals(storage, info.dtype());
            ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            short[] stored = new short[values.length];
            for (int i = 0; i < values.length; i++) {
                stored[i] = raw.getShort((int) info.offset() + 2 * i);
            }
            return stored;
        }
    }

    @Test
    void write_largeTensors_streamInPieces_andReadBack() {
        // 18M floats: over the writer's 16 MiB piece and, read as FLOAT32 (72 MB), over the reader's 64 MiB piece.
        int rows = 4500;
        int cols = 4000;
        NDArray big = manager.arange(0f, (float) rows * cols).reshape(rows, cols);
        Path file = dir.resolve("big.safetensors");
        Safetensors.write(file, Map.of("w", big, "transposed", big.get("0:6, 0:4").transpose()), TensorDtype.BF16,
                Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            NDArray read = f.read("w", manager);
            assertEquals(new Shape(rows, cols), read.getShape());
            assertEquals(0f, read.getFloat(0, 0));
            float last = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(4499f * 4000 + 3999));
            assertEquals(last, read.getFloat(4499, 3999));
            float[] all = f.readFloats("w");
            float[] source = big.toFloatArray();
            for (int i = 0; i < all.length; i += 9973) {
                assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(source[i])), all[i], "element " + i);
            }
            assertArrayEquals(bits(all), bits(read.toFloatArray()));
            assertEquals(new Shape(4, 6), f.tensors().get("transposed").shape());
            float[] transposed = big.get("0:6, 0:4").transpose().toFloatArray(); // C order of the transposed view
            for (int i = 0; i < transposed.length; i++) {
                transposed[i] = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(transposed[i]));
            }
            assertEquals(4000f, transposed[1]);
            assertArrayEquals(transposed, f.readFloats("transposed"));
        }
    }

    @Test
    void read_afterClose_throwsIllegalState() {
        Path file = dir.resolve("c.safetensors");
        Safetensors.write(file, Map.of("x", manager.create(new float[] {1})), TensorDtype.F32, Map.of());
        SafetensorsFile f = SafetensorsFile.open(file);
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> f.read("x", manager));
    }

    @Test
    void read_unknownName_throwsNamingFileAndTensor() {
        Path file = dir.resolve("c.safetensors");
        Safetensors.write(file, Map.of("x", manager.create(new float[] {1})), TensorDtype.F32, Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.read("y", manager));
            assertTrue(e.getMessage().contains("c.safetensors") && e.getMessage().contains("'y'"), e.getMessage());
        }
    }

    @Test
    void write_replacesAtomically_andLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Safetensors.write(file, Map.of("x", manager.create(new float[] {1})), TensorDtype.F32, Map.of());
        Safetensors.write(file, Map.of("y", manager.create(new float[] {2, 3})), TensorDtype.F32, Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(List.of("y"), List.copyOf(f.tensors().keySet()));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("m.safetensors"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
        }
    }

    @Test
    void write_rejectsReservedNameAndBadStorage() {
        NDArray x = manager.create(new float[] {1});
        Path file = dir.resolve("bad.safetensors");
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("__metadata__", x), TensorDtype.F32, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("x", x), TensorDtype.I32, Map.of()));
        assertFalse(Files.exists(file));
    }
}
