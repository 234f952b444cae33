package ai.redstar.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Byte-for-byte agreement with the reference writer (safetensors 0.8.0, the library transformers saves with), on
 * fixtures written by {@code src/test/python/make_reference_safetensors_fixtures.py}: reading a reference file and
 * writing its tensors back with {@link Safetensors#write} reproduces the file exactly — header text, tensor order,
 * padding and data.
 */
class SafetensorsReferenceFixtureTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"reference_bf16.safetensors, BF16", "reference_f32.safetensors, F32"})
    void readThenWrite_reproducesTheReferenceFileExactly(String name, TensorDtype storage) throws Exception {
        Path reference = Path.of(getClass().getResource("/safetensors/" + name).toURI());
        Path ours = dir.resolve(name);
        try (SafetensorsFile f = SafetensorsFile.open(reference); NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String tensor : f.tensors().keySet()) {
                tensors.put(tensor, f.read(tensor, manager));
            }
            assertEquals(DataType.BOOLEAN, tensors.get("mask").getDataType());
            assertArrayEquals(new boolean[] {true, false, true, true}, tensors.get("mask").toBooleanArray());
            assertEquals(DataType.UINT8, tensors.get("bytes").getDataType());
            assertArrayEquals(new byte[] {0, (byte) 255, 17}, tensors.get("bytes").toByteArray());
            assertArrayEquals(new float[] {1.0f, -2.5f}, java.util.Arrays.copyOf(tensors.get("B").toFloatArray(), 2));
            Safetensors.write(ours, tensors, storage, f.metadata());
        }
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(ours));
    }
}
