package ai.redstar.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of {@code chat_templates/rendered.json} (real model templates and feature probes rendered by Python's
 * jinja2 configured as transformers does) must render byte for byte the same here, or fail where Python failed.
 */
class ChatTemplateReferenceTest {
    static String resource(String path) {
        try (InputStream in = ChatTemplateReferenceTest.class.getResourceAsStream("/chat_templates/" + path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource chat_templates/" + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonArray cases() {
        return JsonParser.parseString(resource("rendered.json")).getAsJsonObject().getAsJsonArray("cases");
    }

    static Map<String, Object> variables(JsonObject c) {
        Map<String, Object> variables = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : c.getAsJsonObject("variables").entrySet()) {
            variables.put(e.getKey(), e.getValue());
        }
        return variables;
    }

    @TestFactory
    Stream<DynamicTest> everyReferenceCase_rendersLikeJinja2() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement element : cases()) {
            JsonObject c = element.getAsJsonObject();
            String id = c.get("id").getAsString();
            tests.add(DynamicTest.dynamicTest(id, () -> check(c)));
        }
        return tests.stream();
    }

    private static void check(JsonObject c) {
        String source = c.has("template_file") ? resource("templates/" + c.get("template_file").getAsString())
                : c.get("template").getAsString();
        Map<String, Object> converted = ChatTemplate.convert(variables(c));
        if (c.has("error")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                ChatTemplate template = ChatTemplate.parse(source);
                template.render(converted, LocalDateTime.of(2024, 7, 26, 12, 0));
            }, "Python failed with: " + c.get("error").getAsString());
            String pythonError = c.get("error").getAsString();
            if (pythonError.startsWith("TemplateError: ")) {
                assertTrue(e.getMessage().contains(pythonError.substring("TemplateError: ".length())),
                        "raise_exception message is carried: " + e.getMessage());
            }
            return;
        }
        ChatTemplate template = ChatTemplate.parse(source);
        JinjaRenderer.Result result = template.render(converted, LocalDateTime.of(2024, 7, 26, 12, 0));
        assertEquals(c.get("expected").getAsString(), result.text());
        List<List<Integer>> spans = new ArrayList<>();
        for (int[] span : result.generationSpans()) {
            spans.add(List.of(span[0], span[1]));
        }
        List<List<Integer>> expectedSpans = new ArrayList<>();
        if (c.has("generation_spans")) {
            for (JsonElement span : c.getAsJsonArray("generation_spans")) {
                JsonArray pair = span.getAsJsonArray();
                expectedSpans.add(List.of(pair.get(0).getAsInt(), pair.get(1).getAsInt()));
            }
        }
        assertEquals(expectedSpans, spans);
    }

    @Test
    void referenceFile_coversEveryTemplateAndBothGenerationModes() {
        JsonArray all = cases();
        assertTrue(all.size() > 250, "cases: " + all.size());
        for (String template : List.of("qwen2.5", "llama3.1", "llama3.2", "deepseek_r1_distill", "mistral_v0.3")) {
            long count = 0;
            for (JsonElement e : all) {
                JsonObject c = e.getAsJsonObject();
                if (c.has("template_file") && c.get("template_file").getAsString().equals(template + ".jinja")
                        && c.has("expected")) {
                    count++;
                }
            }
            assertTrue(count >= 20, template + " rendered cases: " + count);
        }
    }
}
