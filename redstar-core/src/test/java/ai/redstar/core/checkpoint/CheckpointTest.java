package ai.redstar.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
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

    /** Five tensors of 40, 24, 400, 8 and 4 stored F32 bytes, in this map order. */
    private Map<String, NDArray> smallModel() {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("model.embed_tokens.weight", manager.arange(10f).reshape(5, 2));
        tensors.put("model.layers.0.self_attn.q_proj.bias", manager.arange(6f).add(100));
        tensors.put("lm_head.weight", manager.arange(100f).reshape(10, 10));
        tensors.put("model.norm.weight", manager.ones(new Shape(2)));
        tensors.put("position", manager.create(new int[] {7}));
        return tensors;
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void writeTensors_underTheLimit_writesOneFileWithFormatPt() throws IOException {
        Map<String, NDArray> tensors = smallModel();
        Checkpoint.writeTensors(dir, tensors, TensorDtype.F32, Checkpoint.DEFAULT_MAX_SHARD_BYTES);
        assertEquals(List.of("model.safetensors"), files());
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
        }
        Map<String, NDArray> read = Checkpoint.readTensors(dir, manager);
        assertEquals(tensors.keySet(), read.keySet());
        for (String name : tensors.keySet()) {
            assertEquals(tensors.get(name), read.get(name), name);
        }
    }

    @Test
    void writeTensors_overTheLimit_shardsLikeTransformers_andReadsBack() throws IOException {
        Map<String, NDArray> tensors = smallModel();
        // Same split and file names as huggingface_hub 1.33's split_torch_state_dict_into_shards on these tensors.
        // limit 64: embed 40 + bias 24 fill the open shard; lm_head (400 > 64) gets a shard of its own, listed
        // before the open one as huggingface_hub does; norm 8 tips the open shard over, so [norm, position] is last.
        Checkpoint.writeTensors(dir, tensors, TensorDtype.F32, 64);
        assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json"), files());
        String index = Files.readString(dir.resolve("model.safetensors.index.json"));
        assertEquals("{\n"
                + "  \"metadata\": {\n"
                + "    \"total_parameters\": 119,\n"
                + "    \"total_size\": 476\n"
                + "  },\n"
                + "  \"weight_map\": {\n"
                + "    \"lm_head.weight\": \"model-00001-of-00003.safetensors\",\n"
                + "    \"model.embed_tokens.weight\": \"model-00002-of-00003.safetensors\",\n"
                + "    \"model.layers.0.self_attn.q_proj.bias\": \"model-00002-of-00003.safetensors\",\n"
                + "    \"model.norm.weight\": \"model-00003-of-00003.safetensors\",\n"
                + "    \"position\": \"model-00003-of-00003.safetensors\"\n"
                + "  }\n"
                + "}\n", index);

        Map<String, TensorInfo> found = Checkpoint.index(dir);
        assertEquals(dir.resolve("model-00001-of-00003.safetensors"), found.get("lm_head.weight").file());
        Map<String, NDArray> read = Checkpoint.readTensors(dir, manager);
        assertEquals(tensors.keySet(), read.keySet());
        for (String name : tensors.keySet()) {
            assertEquals(tensors.get(name), read.get(name), name);
        }
    }

    @Test
    void indexJson_escapesLikePythonsJsonDumps() {
        Map<String, String> weightMap = new java.util.TreeMap<>(Map.of("b", "x", "a\u00e9\"", "y"));
        // json.dumps({...}, indent=2, sort_keys=True) + "\n" in Python 3.11 gives exactly this text.
        assertEquals("{\n  \"metadata\": {\n    \"total_parameters\": 119,\n    \"total_size\": 476\n  },\n"
                + "  \"weight_map\": {\n    \"a\\u00e9\\\"\": \"y\",\n    \"b\": \"x\"\n  }\n}\n",
                Checkpoint.indexJson(119, 476, weightMap));
    }

    @Test
    void writeTensors_replacingASave_deletesStaleWeightFiles() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        Checkpoint.writeTensors(dir, smallModel(), TensorDtype.F32, 64);
        Checkpoint.writeTensors(dir, smallModel(), TensorDtype.BF16, Checkpoint.DEFAULT_MAX_SHARD_BYTES);
        assertEquals(List.of("config.json", "model.safetensors"), files());
        Checkpoint.writeTensors(dir, smallModel(), TensorDtype.F32, 450);
        assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                "model.safetensors.index.json"), files());
        assertEquals(5, Checkpoint.index(dir).size());
    }

    @Test
    void readTensors_bf16Checkpoint_givesFloat32Arrays() {
        Checkpoint.writeTensors(dir, smallModel(), TensorDtype.BF16, Checkpoint.DEFAULT_MAX_SHARD_BYTES);
        Map<String, NDArray> read = Checkpoint.readTensors(dir, manager);
        assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, read.get("lm_head.weight").getDataType());
        assertEquals(ai.djl.ndarray.types.DataType.INT32, read.get("position").getDataType());
        assertEquals(TensorDtype.BF16, Checkpoint.index(dir).get("lm_head.weight").dtype());
        // 0..99 are exact in bfloat16 up to 256 except where 8 mantissa bits do not suffice (none below 256).
        assertArrayEquals(manager.arange(100f).toFloatArray(), read.get("lm_head.weight").toFloatArray());
    }

    @Test
    void index_missingShard_namesShardAndTensor() throws IOException {
        Checkpoint.writeTensors(dir, smallModel(), TensorDtype.F32, 64);
        Files.delete(dir.resolve("model-00001-of-00003.safetensors"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.index(dir));
        assertEquals(Optional.of(dir.resolve("model-00001-of-00003.safetensors")), e.file());
        assertEquals(Optional.of("lm_head.weight"), e.tensor());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void index_tensorMissingFromItsShard_namesShardAndTensor() throws IOException {
        Checkpoint.writeTensors(dir, smallModel(), TensorDtype.F32, 64);
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replace("\"lm_head.weight\": \"model-00001",
                "\"lm_head.weight\": \"model-00003"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.readTensors(dir, manager));
        assertEquals(Optional.of("lm_head.weight"), e.tensor());
        assertTrue(e.getMessage().contains("model-0000"), e.getMessage());
    }

    @Test
    void index_tensorInShardButNotInIndex_isRejected() throws IOException {
        Checkpoint.writeTensors(dir, smallModel(), TensorDtype.F32, 64);
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index)
                .replace("    \"position\": \"model-00003-of-00003.safetensors\"\n", "")
                .replace("\"model.norm.weight\": \"model-00003-of-00003.safetensors\",",
                        "\"model.norm.weight\": \"model-00003-of-00003.safetensors\""));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.index(dir));
        assertEquals(Optional.of("position"), e.tensor());
        assertTrue(e.getMessage().contains("does not list it"), e.getMessage());
    }

    @Test
    void index_corruptIndexFiles_areRejectedNamingTheIndex() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        for (String text : List.of("", "[]", "{\"weight_map\": 3}", "{\"metadata\": {}}", "{'weight_map': {}}",
                "{\"weight_map\": {\"a\": \"../../etc/passwd\"}}", "{\"weight_map\": {\"a\": \"x\", \"a\": \"y\"}}",
                "{\"weight_map\": {\"a\": 1}}", "{\"weight_map\": {}} trailing")) {
            Files.writeString(index, text);
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.index(dir), text);
            assertEquals(Optional.of(index), e.file(), text);
            assertTrue(e.getMessage().startsWith(index.toString()), e.getMessage());
        }
    }

    @Test
    void index_folderWithoutWeights_saysWhatItHolds() throws IOException {
        Files.writeString(dir.resolve("pytorch_model.bin"), "x");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.index(dir));
        assertTrue(e.getMessage().contains("pytorch_model.bin"), e.getMessage());
        assertThrows(CheckpointException.class, () -> Checkpoint.index(dir.resolve("absent")));
    }

    @Test
    void index_corruptShard_namesTheShard() throws IOException {
        Checkpoint.writeTensors(dir, smallModel(), TensorDtype.F32, 64);
        Path shard = dir.resolve("model-00003-of-00003.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.readTensors(dir, manager));
        assertEquals(Optional.of(shard), e.file());
    }

    @Test
    void validate_reportsEveryMissingUnexpectedAndMisshapedTensorAtOnce() {
        Checkpoint.writeTensors(dir, smallModel(), TensorDtype.F32, 64);
        Map<String, TensorInfo> found = Checkpoint.index(dir);
        Map<String, Shape> expected = new LinkedHashMap<>();
        expected.put("model.embed_tokens.weight", new Shape(5, 2));
        expected.put("model.layers.0.self_attn.q_proj.bias", new Shape(6));
        expected.put("lm_head.weight", new Shape(10, 11));
        expected.put("model.norm.weight", new Shape(2));
        expected.put("model.layers.0.mlp.up_proj.weight", new Shape(4, 2));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoint.validate(dir, expected, found));
        String m = e.getMessage();
        assertTrue(m.contains("3 problems"), m);
        assertTrue(m.contains("'lm_head.weight' in model-00001-of-00003.safetensors has shape (10, 10), expected"
                + " (10, 11)"), m);
        assertTrue(m.contains("'model.layers.0.mlp.up_proj.weight' (shape (4, 2)) is missing"), m);
        assertTrue(m.contains("'position' in model-00003-of-00003.safetensors is not a parameter"), m);
        assertEquals(Optional.empty(), e.tensor());

        expected.put("lm_head.weight", new Shape(10, 10));
        expected.remove("model.layers.0.mlp.up_proj.weight");
        expected.put("position", new Shape(1));
        Checkpoint.validate(dir, expected, found);
        expected.put("position", new Shape(2));
        CheckpointException one = assertThrows(CheckpointException.class,
                () -> Checkpoint.validate(dir, expected, found));
        assertEquals(Optional.of("position"), one.tensor());
    }

    @Test
    void writeTensors_rejectsNonPositiveShardSize() {
        assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.writeTensors(dir, smallModel(), TensorDtype.F32, 0));
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
    }
}
