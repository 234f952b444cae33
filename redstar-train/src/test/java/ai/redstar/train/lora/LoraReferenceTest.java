package ai.redstar.train.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.redstar.core.checkpoint.SafetensorsFile;
import ai.redstar.core.model.CausalLm;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * A PEFT-format adapter written by an independent reference (src/test/python/lora_reference.py: PEFT's checkpoint
 * names and adapter_config.json, the adapted forward pass of PEFT's lora.Linear on top of redstar-core's Hugging Face
 * reference forward) loads here and gives the reference's logits.
 */
class LoraReferenceTest {
    static Path fixture(String name) {
        try {
            return Path.of(LoraReferenceTest.class.getResource("/lora/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void loadPeft_givesTheReferenceAdaptedLogits() {
        Path folder = fixture("llama_lora");
        try (CausalLm model = CausalLm.load(folder.resolve("base"), Device.cpu());
                NDManager m = NDManager.newBaseManager(Device.cpu());
                SafetensorsFile parity = SafetensorsFile.open(folder.resolve("parity.safetensors"));
                LoraAdapters lora = LoraAdapters.loadPeft(model, folder.resolve("adapter"))) {
            assertEquals(EnumSet.of(LoraTarget.Q, LoraTarget.K, LoraTarget.O, LoraTarget.UP, LoraTarget.DOWN),
                    lora.config().targets());
            assertEquals(4, lora.config().rank());
            assertEquals(3.0, lora.config().scaling());
            assertEquals(0.1, lora.config().dropout());
            assertEquals("tiny-llama", lora.config().baseModel().orElseThrow());
            NDArray expected = parity.read("expected_logits", m);
            NDArray logits = model.forward(parity.read("input_ids", m), parity.read("position_ids", m),
                    parity.read("segment_ids", m));
            float diff = logits.sub(expected).abs().max().getFloat();
            assertTrue(diff <= 1e-4f, "max |Δlogits| " + diff);
            lora.detach();
            NDArray base = model.forward(parity.read("input_ids", m), parity.read("position_ids", m),
                    parity.read("segment_ids", m));
            assertTrue(base.sub(expected).abs().max().getFloat() > 0.5f, "the adapter is what makes them match");
        }
    }
}
