package ai.redstar.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.redstar.core.checkpoint.CheckpointException;
import ai.redstar.core.checkpoint.Safetensors;
import ai.redstar.core.checkpoint.SafetensorsFile;
import ai.redstar.core.checkpoint.TensorDtype;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CausalLmCheckpointTest {
    private static final Device CPU = Device.cpu();
    private static final Map<String, String> PT = Map.of("format", "pt");

    @TempDir Path dir;

    @Test
    void saveThenLoad_float32_isBitwiseIdentical_tiedAndUntied() {
        for (ModelConfig config : new ModelConfig[] {TinyModels.qwen2(), TinyModels.llamaWithBiases()}) {
            Path folder = dir.resolve(config.modelType().hfName());
            try (CausalLm model = CausalLm.randomInit(config, 21, CPU)) {
                model.save(folder, TensorDtype.F32);
                try (CausalLm loaded = CausalLm.load(folder, CPU)) {
                    assertEquals(config, loaded.config());
                    assertEquals(model.parameters().keySet(), loaded.parameters().keySet());
                    for (String name : model.parameters().keySet()) {
                        assertArrayEquals(model.parameters().get(name).toFloatArray(),
                                loaded.parameters().get(name).toFloatArray(), name);
                    }
                    try (NDManager m = NDManager.newBaseManager(CPU)) {
                        NDArray ids = m.create(new long[][] {{1, 2, 3}});
                        NDArray pos = m.create(new long[][] {{0, 1, 2}});
                        NDArray a = model.forward(ids, pos, pos.onesLike());
                        NDArray b = loaded.forward(ids, pos, pos.onesLike());
                        assertEquals(0f, TinyModels.maxAbsDiff(a, b));
                    }
                }
            }
            try (SafetensorsFile file = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
                assertEquals(PT, file.metadata());
                assertEquals(config.tieWordEmbeddings(), !file.tensors().containsKey("lm_head.weight"));
            }
        }
    }

    @Test
    void save_bfloat16_roundsTheWeights_andRecordsTorchDtype() throws IOException {
        try (CausalLm model = CausalLm.randomInit(TinyModels.qwen2(), 3, CPU)) {
            model.save(dir, TensorDtype.BF16);
            assertTrue(Files.readString(dir.resolve("config.json")).contains("\"torch_dtype\": \"bfloat16\""));
            try (CausalLm loaded = CausalLm.load(dir, CPU)) {
                float[] original = model.parameters().get("model.layers.0.mlp.up_proj.weight").toFloatArray();
                float[] stored = loaded.parameters().get("model.layers.0.mlp.up_proj.weight").toFloatArray();
                for (int i = 0; i < original.length; i++) {
                    assertEquals(0, Float.floatToRawIntBits(stored[i]) & 0xFFFF, "bf16 keeps the upper half only");
                    assertEquals(original[i], stored[i], Math.abs(original[i]) / 128);
                }
            }
        }
    }

    @Test
    void save_aboveTheShardSize_writesShardsAndIndex_andLoadsThem_andCleansUpOnResave() throws IOException {
        try (CausalLm model = CausalLm.randomInit(TinyModels.llamaWithBiases(), 5, CPU)) {
            model.save(dir, TensorDtype.F32, 20_000);
            try (Stream<Path> files = Files.list(dir)) {
                long shards = files.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors"))
                        .count();
                assertTrue(shards > 2, "expected several shards, got " + shards);
            }
            String index = Files.readString(dir.resolve("model.safetensors.index.json"));
            assertTrue(index.contains("\"total_size\": " + model.config().parameterCount() * 4), index);
            assertFalse(Files.exists(dir.resolve("model.safetensors")));
            try (CausalLm loaded = CausalLm.load(dir, CPU)) {
                for (String name : model.parameters().keySet()) {
                    assertArrayEquals(model.parameters().get(name).toFloatArray(),
                            loaded.parameters().get(name).toFloatArray(), name);
                }
            }
            Files.writeString(dir.resolve("tokenizer.json"), "{}");
            model.save(dir, TensorDtype.F32);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(java.util.Set.of("config.json", "model.safetensors", "tokenizer.json"),
                        files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
            }
        }
    }

    /** Writes config.json and model.safetensors with {@code edit} applied to the parameters of a fresh model. */
    private Path folderWith(ModelConfig config, java.util.function.Consumer<Map<String, NDArray>> edit,
            NDManager m) {
        try (CausalLm model = CausalLm.randomInit(config, 1, CPU)) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            model.parameters().forEach((name, array) -> {
                NDArray copy = array.duplicate();
                copy.attach(m);
                tensors.put(name, copy);
            });
            edit.accept(tensors);
            config.write(dir);
            Safetensors.write(dir.resolve("model.safetensors"), tensors, TensorDtype.F32, PT);
            return dir;
        }
    }

    @Test
    void load_missingTensor_namesFileAndTensor() {
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            Path folder = folderWith(TinyModels.qwen2(), t -> t.remove("model.layers.1.self_attn.v_proj.bias"), m);
            CheckpointException e = assertThrows(CheckpointException.class, () -> CausalLm.load(folder, CPU));
            assertEquals("model.layers.1.self_attn.v_proj.bias", e.tensor().orElseThrow());
            assertEquals(folder, e.file().orElseThrow());
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
        }
    }

    @Test
    void load_untiedWithoutHead_fails_tiedWithHead_ignoresIt() {
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            Path untied = folderWith(TinyModels.llamaWithBiases(), t -> t.remove("lm_head.weight"), m);
            CheckpointException e = assertThrows(CheckpointException.class, () -> CausalLm.load(untied, CPU));
            assertEquals("lm_head.weight", e.tensor().orElseThrow());
        }
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            Path tied = folderWith(TinyModels.qwen2(),
                    t -> t.put("lm_head.weight", t.get("model.embed_tokens.weight").duplicate()), m);
            try (CausalLm model = CausalLm.load(tied, CPU)) {
                assertFalse(model.parameters().containsKey("lm_head.weight"));
            }
        }
    }

    @Test
    void load_unexpectedTensor_namesIt() {
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            Path folder = folderWith(TinyModels.qwen2(),
                    t -> t.put("model.layers.2.input_layernorm.weight", m.ones(new Shape(32))), m);
            CheckpointException e = assertThrows(CheckpointException.class, () -> CausalLm.load(folder, CPU));
            assertEquals("model.layers.2.input_layernorm.weight", e.tensor().orElseThrow());
        }
    }

    @Test
    void load_misshapedTensor_namesItAndBothShapes() {
        try (NDManager m = NDManager.newBaseManager(CPU)) {
            Path folder = folderWith(TinyModels.qwen2(),
                    t -> t.put("model.layers.0.mlp.up_proj.weight", m.zeros(new Shape(48, 31), DataType.FLOAT32)), m);
            CheckpointException e = assertThrows(CheckpointException.class, () -> CausalLm.load(folder, CPU));
            assertEquals("model.layers.0.mlp.up_proj.weight", e.tensor().orElseThrow());
            assertTrue(e.getMessage().contains("(48, 31)") && e.getMessage().contains("(48, 32)")
                    && e.getMessage().contains("model.safetensors"), e.getMessage());
        }
    }
}
