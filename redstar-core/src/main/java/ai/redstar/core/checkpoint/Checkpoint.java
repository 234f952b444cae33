package ai.redstar.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tensors of a Hugging Face model folder: {@code model.safetensors}, or shards {@code model-00001-of-0000N.safetensors}
 * listed by {@code model.safetensors.index.json}, laid out exactly as {@code transformers}' {@code save_pretrained}
 * writes them so that either side loads what the other saved.
 *
 * <p>Reading prefers {@code model.safetensors} when both it and an index exist, as {@code transformers} does. Every
 * inconsistency — a missing shard, a tensor missing from the shard the index names, a tensor in a shard the index
 * does not list, a shard name with a path in it, a corrupt file — gives a {@link CheckpointException} naming the file
 * and tensor. Arrays returned belong to the caller's manager.
 *
 * <p>Thread-safe (stateless); concurrent writes to one folder are not coordinated.
 */
public final class Checkpoint {
    /** The single-file weights name. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** The index of a sharded checkpoint. */
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** {@code transformers}' default {@code max_shard_size}, "5GB" = 5·10⁹ bytes. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    static final long MAX_INDEX_BYTES = 100_000_000L;
    private static final Pattern SHARD_NAME = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
    private static final Map<String, String> FORMAT_PT = Map.of("format", "pt");
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);

    private Checkpoint() {}

    /**
     * Every tensor of the model folder with its file, dtype, shape and location; only headers are read. Ordered by
     * file name, then by position in the file.
     *
     * @throws CheckpointException naming the file (and tensor) when the folder holds no safetensors weights, the
     *     index is invalid, a shard is missing or corrupt, or shards and index disagree
     */
    public static Map<String, TensorInfo> index(Path folder) {
        Objects.requireNonNull(folder, "folder");
        if (!Files.isDirectory(folder)) {
            throw new CheckpointException(folder, null, Files.exists(folder)
                    ? "is not a folder; pass the model folder holding model.safetensors"
                    : "does not exist");
        }
        Path single = folder.resolve(SINGLE_FILE);
        Path index = folder.resolve(INDEX_FILE);
        if (Files.exists(single)) {
            if (Files.exists(index)) {
                LOG.warn("{} holds both {} and {}; reading {} as transformers does", folder, SINGLE_FILE, INDEX_FILE,
                        SINGLE_FILE);
            }
            try (SafetensorsFile file = SafetensorsFile.open(single)) {
                return file.tensors();
            }
        }
        if (!Files.exists(index)) {
            throw new CheckpointException(folder, null, "holds neither " + SINGLE_FILE + " nor " + INDEX_FILE
                    + hintOtherWeights(folder));
        }
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, List<String>> byShard = new TreeMap<>();
        weightMap.forEach((tensor, shard) -> byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(tensor));
        Map<String, TensorInfo> result = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> shard : byShard.entrySet()) {
            Path path = folder.resolve(shard.getKey());
            List<String> listed = shard.getValue();
            if (!Files.isRegularFile(path)) {
                throw new CheckpointException(path, listed.get(0), String.format(Locale.ROOT,
                        "shard named by %s for %d tensor(s), this one among them, does not exist; the checkpoint is"
                                + " incomplete (re-download or re-save it)", INDEX_FILE, listed.size()));
            }
            try (SafetensorsFile file = SafetensorsFile.open(path)) {
                Map<String, TensorInfo> held = file.tensors();
                for (String tensor : listed) {
                    if (!held.containsKey(tensor)) {
                        throw new CheckpointException(path, tensor, String.format(Locale.ROOT,
                                "%s places this tensor in this shard, which does not hold it (%d tensors)",
                                INDEX_FILE, held.size()));
                    }
                }
                for (TensorInfo info : held.values()) {
                    if (!shard.getKey().equals(weightMap.get(info.name()))) {
                        throw new CheckpointException(path, info.name(), String.format(Locale.ROOT,
                                "is in this shard but %s %s", INDEX_FILE, weightMap.containsKey(info.name())
                                        ? "places it in " + weightMap.get(info.name())
                                        : "does not list it"));
                    }
                    result.put(info.name(), info);
                }
            }
        }
        return result;
    }

    /**
     * Reads every tensor of the model folder into arrays owned by {@code manager}, typed as
     * {@link SafetensorsFile#read} gives them (floating tensors as FLOAT32). On failure nothing read is left open.
     *
     * @return tensor name to array, ordered as {@link #index(Path)}
     * @throws CheckpointException as {@link #index(Path)} and {@link SafetensorsFile#read} do
     */
    public static Map<String, NDArray> readTensors(Path folder, NDManager manager) {
        Objects.requireNonNull(manager, "manager");
        Map<String, TensorInfo> index = index(folder);
        Map<Path, List<TensorInfo>> byFile = new LinkedHashMap<>();
        index.values().forEach(info -> byFile.computeIfAbsent(info.file(), f -> new ArrayList<>()).add(info));
        Map<String, NDArray> result = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, List<TensorInfo>> e : byFile.entrySet()) {
                try (SafetensorsFile file = SafetensorsFile.open(e.getKey())) {
                    for (TensorInfo info : e.getValue()) {
                        if (!info.equals(file.tensors().get(info.name()))) {
                            throw new CheckpointException(e.getKey(), info.name(),
                                    "changed between reading its header and its data; was the folder rewritten?");
                        }
                        result.put(info.name(), file.read(info.name(), manager));
                    }
                }
            }
            return result;
        } catch (RuntimeException | Error failure) {
            result.values().forEach(NDArray::close);
            throw failure;
        }
    }

    /**
     * Checks that the tensors {@code found} in {@code folder} (from {@link #index(Path)}) are exactly those
     * {@code expected}, with the expected shapes, and reports every missing, unexpected and misshaped tensor in one
     * exception, each line naming the tensor and, where it exists, its file.
     *
     * @param folder the model folder, named in the message
     * @param expected tensor name to required shape, e.g. the parameters of a model built from its config.json
     * @param found what the folder holds
     * @throws CheckpointException listing every problem; {@link CheckpointException#tensor()} names the tensor when
     *     there is exactly one problem
     */
    public static void validate(Path folder, Map<String, Shape> expected, Map<String, TensorInfo> found) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(found, "found");
        List<String> problems = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            TensorInfo info = found.get(e.getKey());
            if (info == null) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' (shape %s) is missing", e.getKey(),
                        e.getValue()));
                names.add(e.getKey());
            } else if (!info.shape().equals(e.getValue())) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' in %s has shape %s, expected %s", e.getKey(),
                        info.file().getFileName(), info.shape(), e.getValue()));
                names.add(e.getKey());
            }
        }
        for (TensorInfo info : found.values()) {
            if (!expected.containsKey(info.name())) {
                problems.add(String.format(Locale.ROOT, "tensor '%s' in %s is not a parameter of this model",
                        info.name(), info.file().getFileName()));
                names.add(info.name());
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(folder, names.size() == 1 ? names.get(0) : null, String.format(Locale.ROOT,
                    "does not match the model (%d problem%s); is config.json the one these weights were saved"
                            + " with?%n  %s",
                    problems.size(), problems.size() == 1 ? "" : "s", String.join(System.lineSeparator() + "  ",
                            problems)));
        }
    }

    /**
     * Writes {@code tensors} into {@code folder} as {@code transformers} would: one {@code model.safetensors} when
     * the stored tensors total at most {@code maxShardBytes}, else shards {@code model-0000i-of-0000N.safetensors}
     * split as {@code huggingface_hub.split_torch_state_dict_into_shards} does (in map order; a tensor larger than
     * the limit gets a shard of its own) plus {@code model.safetensors.index.json} with {@code metadata.total_size}
     * (stored bytes), {@code metadata.total_parameters} (elements of all tensors written, which is transformers'
     * {@code num_parameters()} when they are the model's parameters) and a sorted {@code weight_map}, as
     * transformers 5 writes it. Every file carries {@code __metadata__ = {"format": "pt"}}. Each file is
     * written atomically (temporary file, then rename); weight files of an earlier save that the new one does not
     * use ({@code model.safetensors}, old shards, the index) are then deleted so that readers cannot pick them up.
     * The folder as a whole is not replaced atomically: to survive a crash mid-save, write into a fresh folder and
     * rename it.
     *
     * @param folder created if absent
     * @param tensors name to array (owned by the caller, not modified)
     * @param floatStorage F32, F16 or BF16, see {@link Safetensors#write}
     * @param maxShardBytes largest stored size of a shard in bytes (header excluded), e.g.
     *     {@link #DEFAULT_MAX_SHARD_BYTES}
     * @throws IllegalArgumentException for a non-positive {@code maxShardBytes} or as {@link Safetensors#write}
     * @throws CheckpointException naming the file when writing fails
     */
    public static void writeTensors(Path folder, Map<String, NDArray> tensors, TensorDtype floatStorage,
            long maxShardBytes) {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(floatStorage, "floatStorage");
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new CheckpointException(folder, null, "cannot be created: " + e, e);
        }
        List<Map<String, NDArray>> shards = new ArrayList<>();
        long totalSize = splitIntoShards(tensors, floatStorage, maxShardBytes, shards);
        long totalParameters = 0;
        for (NDArray array : tensors.values()) {
            totalParameters += array.getShape().size();
        }
        if (shards.size() <= 1) {
            Safetensors.write(folder.resolve(SINGLE_FILE), shards.isEmpty() ? Map.of() : shards.get(0), floatStorage,
                    FORMAT_PT);
            deleteStale(folder, Set.of(SINGLE_FILE));
            return;
        }
        Map<String, String> weightMap = new TreeMap<>(Checkpoint::compareCodePoints);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", i + 1, shards.size());
            names.add(name);
            Safetensors.write(folder.resolve(name), shards.get(i), floatStorage, FORMAT_PT);
            shards.get(i).keySet().forEach(tensor -> weightMap.put(tensor, name));
        }
        writeTextAtomically(folder.resolve(INDEX_FILE), indexJson(totalParameters, totalSize, weightMap));
        names.add(INDEX_FILE);
        deleteStale(folder, Set.copyOf(names));
    }

    /** Splits as {@code huggingface_hub.split_torch_state_dict_into_shards}; returns the total stored size. */
    static long splitIntoShards(Map<String, NDArray> tensors, TensorDtype floatStorage, long maxShardBytes,
            List<Map<String, NDArray>> shards) {
        long total = 0;
        Map<String, NDArray> current = new LinkedHashMap<>();
        long currentSize = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray array = Objects.requireNonNull(e.getValue(), () -> "array of tensor '" + e.getKey() + "'");
            long size = Math.multiplyExact(array.getShape().size(),
                    TensorDtype.forStorage(array.getDataType(), floatStorage).byteSize());
            total += size;
            if (size > maxShardBytes) {
                shards.add(Map.of(e.getKey(), array));
                continue;
            }
            if (currentSize + size > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentSize = 0;
            }
            current.put(e.getKey(), array);
            currentSize += size;
        }
        if (!current.isEmpty()) {
            shards.add(current);
        }
        return total;
    }

    /** The index as {@code json.dumps(index, indent=2, sort_keys=True) + "\n"} writes it in transformers. */
    static String indexJson(long totalParameters, long totalSize, Map<String, String> sortedWeightMap) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"metadata\": {\n    \"total_parameters\": ").append(totalParameters)
                .append(",\n    \"total_size\": ").append(totalSize).append("\n  },\n");
        sb.append("  \"weight_map\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : sortedWeightMap.entrySet()) {
            sb.append(first ? "\n" : ",\n").append("    ");
            pythonString(sb, e.getKey());
            sb.append(": ");
            pythonString(sb, e.getValue());
            first = false;
        }
        sb.append(first ? "}" : "\n  }").append("\n}\n");
        return sb.toString();
    }

    static void writeTextAtomically(Path file, String text) {
        Path temporary = null;
        try {
            temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new CheckpointException(file, null, "cannot be written: " + e, e);
        }
    }

    /** Appends {@code s} as a JSON string the way Python's json module writes it by default (ensure_ascii). */
    private static void pythonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Python's string order (by code point), which {@code sort_keys=True} uses. */
    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** Deletes weight files of an earlier save that {@code keep} does not name. */
    private static void deleteStale(Path folder, Set<String> keep) {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                boolean weights = name.equals(SINGLE_FILE) || name.equals(INDEX_FILE)
                        || SHARD_NAME.matcher(name).matches();
                if (weights && !keep.contains(name) && Files.isRegularFile(p)) {
                    Files.delete(p);
                    LOG.debug("deleted {} left by an earlier save", p);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(folder, null, "cannot remove weight files of an earlier save: " + e, e);
        }
    }

    /** The {@code weight_map} of an index file: tensor name to shard file name (validated to be a plain name). */
    static Map<String, String> readWeightMap(Path index) {
        String text = readSmallText(index, MAX_INDEX_BYTES);
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        reader.setNestingLimit(64);
        Map<String, String> weightMap = null;
        try {
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new CheckpointException(index, null, "must hold a JSON object, got " + reader.peek());
            }
            reader.beginObject();
            while (reader.hasNext()) {
                String key = reader.nextName();
                if (!key.equals("weight_map")) {
                    reader.skipValue(); // "metadata" and anything else: informational
                    continue;
                }
                if (weightMap != null) {
                    throw new CheckpointException(index, null, "field 'weight_map' appears twice");
                }
                if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                    throw new CheckpointException(index, null, "field 'weight_map' must be an object of tensor name"
                            + " to shard file name, got " + reader.peek());
                }
                weightMap = new LinkedHashMap<>();
                reader.beginObject();
                while (reader.hasNext()) {
                    String tensor = reader.nextName();
                    if (reader.peek() != JsonToken.STRING) {
                        throw new CheckpointException(index, tensor, "weight_map value must be a shard file name, got "
                                + reader.peek());
                    }
                    String shard = reader.nextString();
                    if (!isPlainFileName(shard)) {
                        throw new CheckpointException(index, tensor, "weight_map names shard '" + shard
                                + "', which is not a plain file name in the model folder");
                    }
                    if (weightMap.put(tensor, shard) != null) {
                        throw new CheckpointException(index, tensor, "appears twice in weight_map");
                    }
                }
                reader.endObject();
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new CheckpointException(index, null, "has content after its JSON object");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new CheckpointException(index, null, "is not valid JSON: " + JsonProblems.describe(e), e);
        }
        if (weightMap == null) {
            throw new CheckpointException(index, null, "has no 'weight_map'");
        }
        return weightMap;
    }

    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
                && name.indexOf('\\') < 0 && name.indexOf('\0') < 0 && name.indexOf(':') < 0;
    }

    static String readSmallText(Path file, long maxBytes) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new CheckpointException(file, null, String.format(Locale.ROOT,
                        "is %d bytes, over the %d-byte limit for this file", size, maxBytes));
            }
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new CheckpointException(file, null, "is not valid UTF-8: " + e, e);
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot be read: " + e, e);
        }
    }

    private static String hintOtherWeights(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".safetensors") || n.endsWith(".bin") || n.endsWith(".pt")
                            || n.endsWith(".pth"))
                    .sorted()
                    .limit(5)
                    .toList();
            if (names.isEmpty()) {
                return "; is this a Hugging Face model folder?";
            }
            return "; it holds " + names + " (PyTorch .bin/.pt weights are not supported: re-save them with"
                    + " save_pretrained(..., safe_serialization=True))";
        } catch (IOException e) {
            return "";
        }
    }
}
