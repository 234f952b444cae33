package ai.redstar.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a safetensors file can be corrupt gives a CheckpointException naming the file (and tensor). */
class SafetensorsCorruptFileTest {
    @TempDir
    Path dir;

    /** A file made of an 8-byte length {@code declaredLength}, the header text, and {@code dataBytes} bytes. */
    static byte[] fileBytes(long declaredLength, byte[] header, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static byte[] fileBytes(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return fileBytes(h.length, h, dataBytes);
    }

    private CheckpointException corrupt(byte[] content) throws IOException {
        Path file = dir.resolve("corrupt.safetensors");
        Files.write(file, content);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(file).close());
        assertEquals(Optional.of(file), e.file());
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        return e;
    }

    private void assertNames(CheckpointException e, String tensor, String... fragments) {
        assertEquals(Optional.ofNullable(tensor), e.tensor(), e.getMessage());
        if (tensor != null) {
            assertTrue(e.getMessage().contains("tensor '" + tensor + "'"), e.getMessage());
        }
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + e.getMessage());
        }
    }

    private static final String ONE = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void truncatedFiles_areRejected() throws IOException {
        assertNames(corrupt(new byte[0]), null, "0 bytes long");
        assertNames(corrupt(new byte[] {8, 0, 0}), null, "3 bytes long");
        byte[] whole = fileBytes(ONE, 8);
        assertNames(corrupt(java.util.Arrays.copyOf(whole, whole.length - 1)), "w", "truncated");
        assertNames(corrupt(java.util.Arrays.copyOf(whole, 8 + ONE.length() - 3)), null, "runs past the end");
    }

    @Test
    void corruptHeaderLengths_areRejectedWithoutAllocatingThem() throws IOException {
        byte[] h = ONE.getBytes(StandardCharsets.UTF_8);
        assertNames(corrupt(fileBytes(-1L, h, 8)), null, "18446744073709551615", "limit");
        assertNames(corrupt(fileBytes(100_000_001L, h, 8)), null, "100000001");
        assertNames(corrupt(fileBytes(99_999_999L, h, 8)), null, "runs past the end");
        assertNames(corrupt(fileBytes(h.length - 1, h, 8)), null, "not valid JSON");
    }

    @Test
    void invalidHeaderText_isRejected() throws IOException {
        assertNames(corrupt(fileBytes(2, new byte[] {(byte) 0xc3, (byte) 0x28}, 0)), null, "UTF-8");
        assertNames(corrupt(fileBytes(" " + ONE, 8)), null, "'{'");
        assertNames(corrupt(fileBytes("[]", 0)), null, "'{'");
        assertNames(corrupt(fileBytes("{\"w\":{\"dtype\":'F32'}}", 0)), "w", "not valid JSON");
        assertNames(corrupt(fileBytes("{\"w\":{\"dtype\":\"F32\",}}", 0)), "w", "not valid JSON");
        assertNames(corrupt(fileBytes(ONE + "{}", 8)), null, "malformed JSON at line 1 column");
        String entry = ONE.substring(1, ONE.length() - 1);
        assertNames(corrupt(fileBytes("{" + entry + "," + entry + "}", 8)), "w", "twice");
        assertNames(corrupt(fileBytes("{\"__metadata__\":{\"a\":1}}", 0)), null, "__metadata__.a");
        assertNames(corrupt(fileBytes("{\"__metadata__\":[]}", 0)), null, "__metadata__");
        assertNames(corrupt(fileBytes("{\"x\":" + "[".repeat(100) + "]".repeat(100) + "}", 0)), "x");
    }

    @Test
    void invalidEntries_areRejectedNamingTheTensor() throws IOException {
        assertNames(corrupt(fileBytes("{\"w\":[1]}", 0)), "w", "dtype, shape and data_offsets");
        assertNames(corrupt(fileBytes("{\"w\":{\"shape\":[],\"data_offsets\":[0,4]}}", 4)), "w", "'dtype'");
        assertNames(corrupt(fileBytes("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4)), "w", "'shape'");
        assertNames(corrupt(fileBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[]}}", 4)), "w", "'data_offsets'");
        assertNames(corrupt(fileBytes(ONE.replace("F32", "F8_E4M3"), 8)), "w", "F8_E4M3", "not supported");
        assertNames(corrupt(fileBytes(ONE.replace("F32", "float32"), 8)), "w", "float32");
        assertNames(corrupt(fileBytes(ONE.replace("[2]", "[-2]"), 8)), "w", "non-negative");
        assertNames(corrupt(fileBytes(ONE.replace("[2]", "[2.0]"), 8)), "w", "2.0");
        assertNames(corrupt(fileBytes(ONE.replace("[2]", "[\"2\"]"), 8)), "w", "STRING");
        assertNames(corrupt(fileBytes(ONE.replace("[2]", "[99999999999999999999]"), 8)), "w", "99999999999999999999");
        assertNames(corrupt(fileBytes(ONE.replace("[2]", "[4294967296,4294967296]"), 8)), "w", "overflow");
        assertNames(corrupt(fileBytes(ONE.replace("[0,8]", "[0,4,8]"), 8)), "w", "data_offsets");
        assertNames(corrupt(fileBytes(ONE.replace("[2]", "[" + "1,".repeat(64) + "2]"), 8)), "w", "more than 64");
        assertNames(corrupt(fileBytes(ONE.replace("\"shape\"", "\"shape\":[2],\"shape\""), 8)), "w", "twice");
    }

    @Test
    void invalidOffsets_areRejectedNamingTheTensor() throws IOException {
        assertNames(corrupt(fileBytes(ONE.replace("[0,8]", "[8,0]"), 8)), "w", "end before they begin");
        assertNames(corrupt(fileBytes(ONE.replace("[0,8]", "[0,12]"), 12)), "w", "span 12 bytes", "needs 8 bytes");
        assertNames(corrupt(fileBytes(ONE.replace("[0,8]", "[4,12]"), 8)), "w", "past the end");
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertNames(corrupt(fileBytes(two, 12)), "b", "overlap tensor 'a'");
        String gap = two.replace("[4,12]", "[12,20]");
        assertNames(corrupt(fileBytes(gap, 20)), "b", "gap of 4 bytes");
        assertNames(corrupt(fileBytes(ONE, 9)), null, "1 bytes follow the last tensor");
        assertNames(corrupt(fileBytes(ONE.replace("[0,8]", "[1,9]"), 9)), "w", "gap of 1 bytes");
    }

    @Test
    void missingFile_andFolder_areRejected() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> SafetensorsFile.open(dir.resolve("absent.safetensors")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(dir));
    }

    @Test
    void unknownEntryFields_areIgnored_andEmptyHeaderIsValid() throws IOException {
        Path file = dir.resolve("ok.safetensors");
        Files.write(file, fileBytes(ONE.replace("\"dtype\"", "\"extra\":{\"k\":[1,{}]},\"dtype\""), 8));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {
                Float.intBitsToFloat(0x03020100), Float.intBitsToFloat(0x07060504)}, f.readFloats("w"));
        }
        Files.write(file, fileBytes("{}      ", 0));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(f.tensors().isEmpty());
        }
    }

    @Test
    void fileOver2GiB_readsTensorsPastTheIntRange_andRejectsTensorsOver2To31Elements() throws IOException {
        long big = 2_200_000_000L;
        String header = String.format(java.util.Locale.ROOT,
                "{\"big\":{\"dtype\":\"U8\",\"shape\":[%d],\"data_offsets\":[0,%d]},"
                        + "\"small\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[%d,%d]}}",
                big, big, big, big + 16);
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("sparse.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
            raf.write(prefix.array());
            raf.write(h);
            raf.setLength(8 + h.length + big + 16); // sparse: the 2.2 GB of zeros take no disk
            raf.seek(8 + h.length + big);
            ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            data.putFloat(1.5f).putFloat(-2f).putFloat(3.25f).putFloat(Float.MAX_VALUE);
            raf.write(data.array());
        }
        try (SafetensorsFile f = SafetensorsFile.open(file); NDManager manager = NDManager.newBaseManager()) {
            TensorInfo small = f.tensors().get("small");
            assertTrue(small.offset() > Integer.MAX_VALUE);
            NDArray read = f.read("small", manager);
            assertEquals(new ai.djl.ndarray.types.Shape(2, 2), read.getShape());
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, Float.MAX_VALUE}, read.toFloatArray());
            CheckpointException e = assertThrows(CheckpointException.class, () -> f.read("big", manager));
            assertNames(e, "big", "2200000000 elements");
        }
    }
}
