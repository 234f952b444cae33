package ai.redstar.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agreement with PyTorch 1.13 on a fixture written by {@code src/test/python/make_safetensors_fixtures.py}: reading
 * BF16/F16/F64 gives exactly torch's float32 widening, and narrowing float32 in Java gives torch's bit patterns
 * (NaN excepted: torch's vectorized kernels emit 0xffff for a bf16 NaN, its scalar code 0x7fc0, we 0x7fc0).
 */
class SafetensorsTorchFixtureTest {
    @TempDir
    Path dir;

    private static Path fixture() throws URISyntaxException {
        return Path.of(SafetensorsTorchFixtureTest.class.getResource("/safetensors/torch_fixtures.safetensors")
                .toURI());
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    /** The raw 16-bit patterns of tensor {@code name} in {@code file}. */
    private static short[] raw16(Path file, TensorInfo info) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        short[] result = new short[(int) info.elementCount()];
        for (int i = 0; i < result.length; i++) {
            result[i] = bytes.getShort((int) info.offset() + 2 * i);
        }
        return result;
    }

    @Test
    void read_torchBf16F16F64_givesTorchsFloat32ValuesExactly() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(fixture()); NDManager manager = NDManager.newBaseManager()) {
            assertEquals("pt", f.metadata().get("format"));
            assertArrayEquals(bits(f.readFloats("bf16_as_f32")), bits(f.readFloats("bf16")));
            assertArrayEquals(bits(f.readFloats("f16_as_f32")), bits(f.readFloats("f16")));
            float[] fromF64 = f.readFloats("f64");
            float[] torchF64 = f.readFloats("f64_as_f32");
            for (int i = 0; i < fromF64.length; i++) {
                if (!(Float.isNaN(fromF64[i]) && Float.isNaN(torchF64[i]))) {
                    assertEquals(Float.floatToRawIntBits(torchF64[i]), Float.floatToRawIntBits(fromF64[i]),
                            "f64 element " + i);
                }
            }
            NDArray matrix = f.read("matrix_bf16", manager);
            assertEquals(new Shape(3, 5), matrix.getShape());
            assertEquals(DataType.FLOAT32, matrix.getDataType());
            assertArrayEquals(bits(f.readFloats("matrix_bf16_as_f32")), bits(matrix.toFloatArray()));
            assertArrayEquals(new long[] {0, 1, -1, 1L << 62}, f.read("ids", manager).toLongArray());
        }
    }

    @Test
    void narrowing_inJava_matchesTorchBitPatterns() throws Exception {
        Path fixture = fixture();
        try (SafetensorsFile f = SafetensorsFile.open(fixture)) {
            float[] source = f.readFloats("source");
            short[] torchBf16 = raw16(fixture, f.tensors().get("bf16"));
            short[] torchF16 = raw16(fixture, f.tensors().get("f16"));
            int nans = 0;
            for (int i = 0; i < source.length; i++) {
                short bf16 = HalfFloats.floatToBf16(source[i]);
                short f16 = HalfFloats.floatToF16(source[i]);
                if (Float.isNaN(source[i])) {
                    nans++;
                    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(torchBf16[i])));
                    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(bf16)));
                    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(f16)));
                    continue;
                }
                String input = String.format("%s (0x%08x)", source[i], Float.floatToRawIntBits(source[i]));
                assertEquals(torchBf16[i], bf16, "bf16 of " + input);
                assertEquals(torchF16[i], f16, "f16 of " + input);
            }
            assertEquals(2, nans);
        }
    }

    @Test
    void write_bf16AndF16_storeTorchsBitPatterns() throws Exception {
        Path fixture = fixture();
        try (SafetensorsFile f = SafetensorsFile.open(fixture); NDManager manager = NDManager.newBaseManager()) {
            NDArray source = f.read("source", manager);
            for (TensorDtype storage : new TensorDtype[] {TensorDtype.BF16, TensorDtype.F16}) {
                Path out = dir.resolve(storage + ".safetensors");
                Safetensors.write(out, Map.of("x", source), storage, Map.of());
                short[] ours;
                try (SafetensorsFile written = SafetensorsFile.open(out)) {
                    ours = raw16(out, written.tensors().get("x"));
                }
                short[] torch = raw16(fixture, f.tensors().get(storage == TensorDtype.BF16 ? "bf16" : "f16"));
                float[] values = source.toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    if (!Float.isNaN(values[i])) {
                        assertEquals(torch[i], ours[i], storage + " element " + i);
                    }
                }
            }
        }
    }
}
