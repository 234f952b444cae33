package ai.redstar.data.problem;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.JsonlRecord;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ProblemFormatPropertiesTest {

    /** JSON values a dataset might hold in any field, well- or ill-typed. */
    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(40).map(s -> new com.google.gson.JsonPrimitive(s).toString()),
                Arbitraries.integers().between(-3, 30).map(String::valueOf),
                Arbitraries.of("null", "true", "[]", "{}", "[\"a\",\"b\"]", "[1, {\"x\":2}]", "1e300", "0.5",
                        "\"#### 42\"", "\"\\\\boxed{3}\"", "\"A:1 B:2 C:3\"", "\"{\\\"inputs\\\":[\\\"1\\\"],"
                                + "\\\"outputs\\\":[\\\"1\\\"]}\"", "{\"inputs\":[[1]],\"outputs\":[2],\"fn_name\":\"f\"}",
                        "{\"inputs\":[null],\"outputs\":[null]}", "{\"inputs\":[1],\"outputs\":[]}"));
    }

    @Property(tries = 300)
    void read_anyRecord_givesAProblemOrNamesTheLine(@ForAll("values") String question, @ForAll("values") String a,
            @ForAll("values") String b, @ForAll("values") String level) {
        for (ProblemFormat format : ProblemFormat.presets().values()) {
            JsonObject o = new JsonObject();
            List<String> fields = List.of(format.questionField(), format.gold().fields().get(0),
                    format.gold().fields().size() > 1 ? format.gold().fields().get(1) : "other",
                    format.levelField());
            List<String> values = List.of(question, a, b, level);
            for (int i = 0; i < fields.size(); i++) {
                o.add(fields.get(i), com.google.gson.JsonParser.parseString(values.get(i)));
            }
            JsonlRecord record = new JsonlRecord(Path.of("p.jsonl"), 7, o);
            try {
                Problem p = format.read(record);
                assertTrue(!p.question().isBlank() && p.index() == 7);
            } catch (JsonlException e) {
                assertTrue(e.getMessage().startsWith("p.jsonl line 7: "), e.getMessage());
            }
        }
    }
}
