package ai.redstar.core.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.redstar.core.checkpoint.SafetensorsFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logits of {@link VisionLm#load loaded} tiny llava-hf folders against an independent float64 PyTorch implementation
 * of transformers' LLaVA / CLIP / SigLIP forward pass (src/test/python/llava_reference.py, which wrote the fixtures):
 * CLIP with quick_gelu, pre_layrnorm, feature layer -2 and strategy default (3 images over 2 left-padded rows);
 * SigLIP with gelu_pytorch_tanh, strategy full, feature layers [-1, 0] and an image token outside the vocabulary.
 */
class LlavaParityTest {
    private static final Logger LOG = LoggerFactory.getLogger(LlavaParityTest.class);
    private static final float TOLERANCE = 1e-4f;

    static Path fixture(String name) {
        try {
            return Path.of(LlavaParityTest.class.getResource("/parity/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_clip", "llava_siglip"})
    void logits_matchTheReference(String name) {
        Path folder = fixture(name);
        try (VisionLm model = VisionLm.load(folder, Device.cpu());
                NDManager m = NDManager.newBaseManager(Device.cpu());
                SafetensorsFile parity = SafetensorsFile.open(folder.resolve("parity.safetensors"))) {
            NDArray ids = parity.read("input_ids", m);
            NDArray positions = parity.read("position_ids", m);
            NDArray segments = parity.read("segment_ids", m);
            NDArray pixels = parity.read("pixel_values", m);
            NDArray expected = parity.read("expected_logits", m);
            NDArray valid = parity.read("valid", m).toType(DataType.FLOAT32, false).expandDims(2);
            NDArray logits = model.forward(ids, positions, segments, pixels, null);
            assertEquals(expected.getShape(), logits.getShape());
            float diff = logits.sub(expected).abs().mul(valid).max().getFloat();
            LOG.info("parity {}: max |Δlogits| = {}", name, diff);
            assertTrue(diff <= TOLERANCE, name + ": max |Δlogits| " + diff + " > " + TOLERANCE);
            assertTrue(valid.sum().getFloat() >= 10, "the fixture compares at least 10 positions");
        }
    }
}
