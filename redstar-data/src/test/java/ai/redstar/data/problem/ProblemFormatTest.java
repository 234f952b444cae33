package ai.redstar.data.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProblemFormatTest {
    @TempDir
    Path dir;

    private Path file(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    private List<Problem> read(Path file, ProblemFormat format) {
        List<Problem> out = new ArrayList<>();
        try (ProblemReader r = ProblemReader.open(file, format, MalformedLinePolicy.FAIL)) {
            r.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void math_boxedSolutionLevelAndExtraFields_areMapped() throws IOException {
        Path f = file("math.jsonl", "{\"problem\":\"What is $\\\\frac{2}{4}$?\",\"solution\":\"We halve: "
                + "$\\\\boxed{\\\\frac{1}{2}}$.\",\"level\":\"Level 5\",\"type\":\"Algebra\",\"unique_id\":\"test/1.json\"}");
        Problem p = read(f, ProblemFormat.math()).get(0);
        assertEquals("test/1.json", p.id());
        assertEquals("\\frac{1}{2}", p.answer());
        assertEquals(Gold.math("\\frac{1}{2}"), p.gold());
        assertEquals("Level 5", p.level().orElseThrow());
        assertEquals("MATH", p.source());
        assertEquals(1, p.index());
        assertEquals("Algebra", p.extraFields().get("type").getAsString());
        assertFalse(p.hasExtraField("solution"), "mapped fields are not extra");
        assertTrue(RuleVerifier.builder().build().verify("so \\boxed{0.5}", p.gold()).correct());
    }

    @Test
    void gsm8k_answerAfterHashes_dropsThousandsSeparators() throws IOException {
        Path f = file("gsm8k.jsonl",
                "{\"question\":\"How many?\",\"answer\":\"3 + 4 = 7\\n#### 1,234\"}",
                "{\"question\":\"List?\",\"answer\":\"#### 1, 2\"}");
        List<Problem> ps = read(f, ProblemFormat.gsm8k());
        assertEquals("1234", ps.get(0).answer());
        assertEquals("gsm8k:1", ps.get(0).id());
        assertEquals("1, 2", ps.get(1).answer());
    }

    @Test
    void taco_inputOutputStringBecomesCodeTests() throws IOException {
        Path f = file("taco.jsonl", "{\"question\":\"Echo\",\"input_output\":\"{\\\"inputs\\\":[\\\"1\\\\n\\\"],"
                + "\\\"outputs\\\":[\\\"1\\\\n\\\"]}\",\"difficulty\":\"EASY\",\"tags\":[\"io\"]}");
        Problem p = read(f, ProblemFormat.taco()).get(0);
        assertTrue(p.gold() instanceof Gold.Code c && c.tests().size() == 1);
        assertEquals("EASY", p.level().orElseThrow());
        assertEquals("", p.answer());
        assertTrue(p.hasExtraField("tags"));
    }

    @Test
    void choice_arrayAndIndex_appendOptionsToQuestion() throws IOException {
        Path f = file("geo.jsonl",
                "{\"question\":\"Angle?\",\"choices\":[\"30°\",\"45°\",\"60°\"],\"answer\":1}",
                "{\"question\":\"Pick: A. 1 B. 2\",\"choices\":\"A:1 B:2\",\"answer\":\"b\"}");
        List<Problem> ps = read(f, ProblemFormat.multipleChoice());
        assertEquals("B", ps.get(0).answer());
        assertEquals("Angle?\n\nA. 30°\nB. 45°\nC. 60°", ps.get(0).question());
        assertEquals("Pick: A. 1 B. 2", ps.get(1).question(), "a question listing its options is kept");
        assertTrue(RuleVerifier.builder().build().verify("The answer is \\boxed{B}", ps.get(0).gold()).correct());
    }

    @Test
    void malformedLines_failNamingFileLineAndField() throws IOException {
        Path f = file("bad.jsonl", "{\"problem\":\"ok\",\"solution\":\"\\\\boxed{1}\"}",
                "{\"problem\":\"no box\",\"solution\":\"the answer is 3\"}");
        JsonlException e = assertThrows(JsonlException.class, () -> read(f, ProblemFormat.math()));
        assertTrue(e.getMessage().contains("bad.jsonl line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("field 'solution'"), e.getMessage());
        assertEquals(2, e.lineNumber());

        Path missing = file("missing.jsonl", "", "{\"answer\":\"1\"}");
        JsonlException m = assertThrows(JsonlException.class, () -> read(missing, ProblemFormat.generic()));
        assertTrue(m.getMessage().contains("line 2: field 'question' is missing"), m.getMessage());

        Path notJson = file("broken.jsonl", "{\"question\":\"q\",\"answer\":\"1\"}", "{\"question\":");
        JsonlException j = assertThrows(JsonlException.class, () -> read(notJson, ProblemFormat.generic()));
        assertTrue(j.getMessage().contains("broken.jsonl line 2"), j.getMessage());
    }

    @Test
    void skipPolicy_countsBadRecordsAndKeepsGoodOnes() throws IOException {
        Path f = file("mixed.jsonl", "{\"question\":\"q1\",\"answer\":\"1\"}", "not json",
                "{\"question\":\"q3\"}", "{\"question\":\"q4\",\"answer\":\"4\"}");
        List<Problem> out = new ArrayList<>();
        try (ProblemReader r = ProblemReader.open(f, ProblemFormat.generic(), MalformedLinePolicy.SKIP)) {
            r.forEachRemaining(out::add);
            assertEquals(2, r.skipped());
        }
        assertEquals(List.of(1L, 4L), out.stream().map(Problem::index).toList());
    }

    @Test
    void builder_fieldMappedTwice_isRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProblemFormat.builder("q", new GoldField.Answer("q")).idField("a").idField("b").build());
        assertTrue(e.getMessage().contains("field 'q' is mapped twice"), e.getMessage());
        assertTrue(e.getMessage().contains("idField was set twice"), e.getMessage());
    }

    @Test
    void copyExtraFieldsTo_putsClashingNamesUnderInputFields() {
        com.google.gson.JsonObject extra = new com.google.gson.JsonObject();
        extra.addProperty("messages", "old");
        extra.addProperty("topic", "geometry");
        Problem p = new Problem(3, "p", "q", Gold.math("1"), "1", "s", java.util.Optional.empty(), extra);
        com.google.gson.JsonObject out = new com.google.gson.JsonObject();
        out.addProperty("messages", "new");
        p.copyExtraFieldsTo(out, java.util.Set.of("messages"));
        assertEquals("new", out.get("messages").getAsString());
        assertEquals("geometry", out.get("topic").getAsString());
        assertEquals("old", out.getAsJsonObject(Problem.INPUT_FIELDS).get("messages").getAsString());
    }

    @Test
    void promptTemplate_standardAppendsInstructionByKind() {
        Problem p = Problem.math(1, "p", "What is 1+1?", "2");
        var messages = PromptTemplate.standard().withSystem("sys").messages(p);
        assertEquals(2, messages.size());
        assertEquals("What is 1+1?\n\n" + PromptTemplate.MATH_INSTRUCTION, messages.get(1).content());
        assertThrows(IllegalArgumentException.class, () -> PromptTemplate.uniform("no placeholder"));
    }
}
