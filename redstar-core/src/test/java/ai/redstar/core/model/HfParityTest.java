package ai.redstar.core.model;

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
 * Logits of {@link CausalLm#load loaded} tiny Hugging Face folders against an independent PyTorch implementation of
 * transformers' Qwen2/Llama forward pass (src/test/python/hf_reference.py, which wrote the fixtures).
 */
class HfParityTest {
    private static final Logger LOG = LoggerFactory.getLogger(HfParityTest.class);
    private static final float TOLERANCE = 1e-4f;

    static Path fixture(String name) {
        try {
            return Path.of(HfParityTest.class.getResource("/parity/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2_tied_bias", "llama_untied_headdim", "llama_rope_linear4_bf16", "qwen2_left_padded",
            "qwen2_packed"})
    void logits_matchTheReference(String name) {
        Path folder = fixture(name);
        try (CausalLm model = CausalLm.load(folder, Device.cpu());
                NDManager m = NDManager.newBaseManager(Device.cpu());
                SafetensorsFile parity = SafetensorsFile.open(folder.resolve("parity.safetensors"))) {
            NDArray ids = parity.read("input_ids", m);
            NDArray positions = parity.read("position_ids", m);
            NDArray segments = parity.read("segment_ids", m);
            NDArray expected = parity.read("expected_logits", m);
            NDArray valid = parity.read("valid", m).toType(DataType.FLOAT32, false).expandDims(2);
            NDArray logits = model.forward(ids, positions, segments);
            assertEquals(expected.getShape(), logits.getShape());
            float diff = logits.sub(expected).abs().mul(valid).max().getFloat();
            LOG.info("parity {}: max |Δlogits| = {}", name, diff);
            assertTrue(diff <= TOLERANCE, name + ": max |Δlogits| " + diff + " > " + TOLERANCE);
            assertTrue(valid.sum().getFloat() >= 10, "the fixture compares at least 10 positions");
        }
    }
}
