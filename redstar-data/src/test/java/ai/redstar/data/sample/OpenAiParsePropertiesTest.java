package ai.redstar.data.sample;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class OpenAiParsePropertiesTest {

    /** Answers a misbehaving server might send: fragments of chat completions put together at random. */
    @Provide
    Arbitrary<String> answers() {
        Arbitrary<String> value = Arbitraries.of("null", "1", "-7", "1e999", "\"stop\"", "\"length\"", "true", "[]",
                "{}", "\"text\"", "[[[[[[[[", "{\"content\":\"x\"}", "\"\\ud800\"");
        Arbitrary<String> field = Arbitraries.of("choices", "message", "content", "reasoning_content", "reasoning",
                "finish_reason", "index", "usage", "completion_tokens", "error");
        Arbitrary<String> member = Arbitraries.oneOf(
                field.flatMap(f -> value.map(v -> "\"" + f + "\":" + v)),
                field.flatMap(f -> value.list().ofMaxSize(3).map(vs -> "\"" + f + "\":{\"message\":{\"content\":"
                        + (vs.isEmpty() ? "null" : vs.get(0)) + "},\"finish_reason\":" + (vs.size() > 1 ? vs.get(1)
                        : "null") + "}")));
        Arbitrary<String> choices = member.list().ofMaxSize(4)
                .map(ms -> "{\"choices\":[{" + String.join(",", ms) + "}]}");
        return Arbitraries.oneOf(choices, member.list().ofMaxSize(4).map(ms -> "{" + String.join(",", ms) + "}"),
                Arbitraries.strings().ofMaxLength(60));
    }

    @Property(tries = 1000)
    void parse_anyAnswer_givesSamplesOrAMalformedAnswer(@ForAll("answers") String body) {
        try {
            List<Sample> samples = OpenAiSampler.parse(body);
            assertFalse(samples.isEmpty());
        } catch (OpenAiSampler.MalformedAnswer expected) {
            // reported, retried, never an unchecked exception
        }
    }
}
