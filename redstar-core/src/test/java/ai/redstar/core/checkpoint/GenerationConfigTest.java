package ai.redstar.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationConfigTest {
    /** Qwen2.5-0.5B-Instruct's generation_config.json. */
    static final String QWEN = """
            {
              "bos_token_id": 151643,
              "pad_token_id": 151643,
              "do_sample": true,
              "eos_token_id": [
                151645,
                151643
              ],
              "repetition_penalty": 1.1,
              "temperature": 0.7,
              "top_p": 0.8,
              "top_k": 20,
              "transformers_version": "4.37.0"
            }
            """;

    @TempDir
    Path dir;

    @Test
    void fromJson_qwenFile_readsEveryField_andKeepsUnknownOnes() {
        GenerationConfig c = GenerationConfig.fromJson(QWEN);
        assertEquals(151643, c.bosTokenId());
        assertEquals(151643, c.padTokenId());
        assertEquals(List.of(151645, 151643), c.eosTokenIds());
        assertEquals(0.7, c.temperature());
        assertEquals(0.8, c.topP());
        assertEquals(20, c.topK());
        assertEquals(Boolean.TRUE, c.doSample());
        assertNull(c.maxNewTokens());
        assertEquals("4.37.0", c.extraFields().get("transformers_version").getAsString());
        assertEquals(1.1, c.extraFields().get("repetition_penalty").getAsDouble());
    }

    @Test
    void writeThenRead_roundTrips_sortedLikeTransformers() throws IOException {
        GenerationConfig c = GenerationConfig.fromJson(QWEN);
        c.write(dir);
        String text = Files.readString(dir.resolve("generation_config.json"));
        assertEquals("""
                {
                  "bos_token_id": 151643,
                  "do_sample": true,
                  "eos_token_id": [
                    151645,
                    151643
                  ],
                  "pad_token_id": 151643,
                  "repetition_penalty": 1.1,
                  "temperature": 0.7,
                  "top_k": 20,
                  "top_p": 0.8,
                  "transformers_version": "4.37.0"
                }
                """, text);
        assertEquals(c, GenerationConfig.read(dir));
    }

    @Test
    void singleEos_andAbsentFields_roundTrip() {
        GenerationConfig c = new GenerationConfig(null, List.of(2), null, null, null, null, 512, false, null);
        String json = c.toJson();
        assertEquals("{\n  \"do_sample\": false,\n  \"eos_token_id\": 2,\n  \"max_new_tokens\": 512\n}\n", json);
        assertEquals(c, GenerationConfig.fromJson(json));
    }

    @Test
    void badValues_areRejectedNamingFieldAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GenerationConfig.fromJson("{\"top_p\": 1.5, \"top_k\": -1, \"eos_token_id\": [1, \"x\"]}"));
        assertTrue(e.getMessage().contains("'top_p' is 1.5"), e.getMessage());
        assertTrue(e.getMessage().contains("'top_k' is -1"), e.getMessage());
        assertTrue(e.getMessage().contains("'eos_token_id' must be an integer, got \"x\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.fromJson("{\"temperature\": \"hot\"}"));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.fromJson("{\"max_new_tokens\": 1.5}"));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.fromJson("[1]"));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.fromJson("{'a': 1}"));
        JsonObject clash = new JsonObject();
        clash.addProperty("temperature", 1.0);
        assertThrows(IllegalArgumentException.class,
                () -> new GenerationConfig(null, null, null, null, null, null, null, null, clash));
    }

    @Test
    void read_badFile_namesTheFile() throws IOException {
        Path file = dir.resolve("generation_config.json");
        Files.writeString(file, "{\"top_k\": true}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> GenerationConfig.read(dir));
        assertEquals(Optional.of(file), e.file());
        assertTrue(e.getMessage().contains("top_k"), e.getMessage());
    }

    @Property(tries = 300)
    void fromJson_anyText_parsesOrThrowsIllegalArgumentWithMessage(@ForAll("jsonish") String text) {
        try {
            GenerationConfig c = GenerationConfig.fromJson(text);
            assertEquals(c, GenerationConfig.fromJson(c.toJson()));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        }
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> fields = Arbitraries.of("\"bos_token_id\"", "\"eos_token_id\"", "\"top_p\"", "\"top_k\"",
                "\"temperature\"", "\"do_sample\"", "\"max_new_tokens\"", "\"pad_token_id\"", "\"x\"");
        Arbitrary<String> values = Arbitraries.of("1", "-1", "0.5", "1e400", "2147483648", "true", "null", "\"s\"",
                "[1,2]", "[]", "{}", "[null]", "1.0", "-0", "[[1]]");
        Arbitrary<String> objects = Arbitraries.entries(fields, values).list().ofMaxSize(6).map(list -> {
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < list.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(list.get(i).getKey()).append(':').append(list.get(i).getValue());
            }
            return sb.append('}').toString();
        });
        return Arbitraries.oneOf(objects, Arbitraries.strings().ofMaxLength(40),
                Arbitraries.strings().withChars("{}[]\":,0123456789.e-truefalsn ").ofMaxLength(40));
    }
}
