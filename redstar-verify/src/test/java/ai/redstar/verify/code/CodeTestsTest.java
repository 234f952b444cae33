package ai.redstar.verify.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The TACO/APPS format, output and JSON comparison, code-block extraction: no sandbox needed. */
class CodeTestsTest {

    @Test
    void fromInputOutputJson_stdio_joinsLineLists() {
        CodeTests t = CodeTests.fromInputOutputJson("{\"inputs\": [\"1\\n\", [\"2\", \"3\"]], \"outputs\": [\"1\", [\"5\"]]}");
        CodeTests.Stdio s = assertInstanceOf(CodeTests.Stdio.class, t);
        assertEquals(new CodeTests.StdioCase("2\n3", "5"), s.cases().get(1));
        assertEquals(1, t.limit(1).size());
    }

    @Test
    void fromInputOutputJson_fnName_givesCallTests() {
        CodeTests t = CodeTests.fromInputOutputJson("{\"fn_name\": \"add\", \"inputs\": [[1, 2]], \"outputs\": [[3]]}");
        CodeTests.Call c = assertInstanceOf(CodeTests.Call.class, t);
        assertEquals("add", c.functionName());
        assertEquals("[1,2]", c.cases().get(0).argumentsJson());
    }

    @Test
    void fromInputOutputJson_badShapes_nameTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CodeTests.fromInputOutputJson("{\"inputs\": []}"))
                .getMessage().contains("'outputs'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CodeTests.fromInputOutputJson("{\"inputs\": [\"1\"], \"outputs\": []}")).getMessage()
                .contains("pair up"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CodeTests.fromInputOutputJson("{\"fn_name\": \"f\", \"inputs\": [1], \"outputs\": [1]}"))
                .getMessage().contains("inputs[0]"));
        assertThrows(IllegalArgumentException.class, () -> CodeTests.fromInputOutputJson("not json {"));
        assertThrows(IllegalArgumentException.class, () -> CodeTests.call("1bad", List.of(new CodeTests.CallCase("[]", "1"))));
    }

    @Test
    void outputs_linesMode_ignoresSpacingButNotLineStructure() {
        assertEquals(Optional.empty(), Outputs.difference("1  2 \r\n\n3\n", "1 2\n3", OutputMatch.LINES, 1e-6));
        assertTrue(Outputs.difference("1 2 3", "1 2\n3", OutputMatch.LINES, 1e-6).isPresent());
        assertEquals(Optional.empty(), Outputs.difference("1 2 3", "1 2\n3", OutputMatch.TOKENS, 1e-6));
        assertTrue(Outputs.difference("YES", "Yes", OutputMatch.LINES, 1e-6).isPresent());
    }

    @Test
    void outputs_floats_useAbsoluteOrRelativeTolerance() {
        assertTrue(Outputs.tokenEquals("2.0000001", "2", 1e-6));
        assertTrue(Outputs.tokenEquals("1000000.5", "1000000.0", 1e-6));
        assertTrue(!Outputs.tokenEquals("1000002.5", "1000000.0", 1e-6));
        assertTrue(!Outputs.tokenEquals("3", "3.5", 1e-6));
        assertTrue(!Outputs.tokenEquals("10", "010", 1e-6), "integers compare as written");
        assertTrue(Outputs.tokenEquals("1e-7", "0", 1e-6));
    }

    @Test
    void jsonValues_listsTuplesFloatsAndWrapping() {
        var p = (java.util.function.BiPredicate<String, String>) (a, e) -> JsonValues.matchesExpected(
                com.google.gson.JsonParser.parseString(a), com.google.gson.JsonParser.parseString(e), 1e-6);
        assertTrue(p.test("[1, 2]", "[[1, 2]]"));
        assertTrue(p.test("5", "[5]"));
        assertTrue(!p.test("1", "[1, 2]"), "only a one-element expected list is unwrapped");
        assertTrue(p.test("0.30000000000000004", "0.3"));
        assertTrue(!p.test("true", "1"));
        assertTrue(p.test("{\"a\": [1.0]}", "{\"a\": [1]}"));
        assertTrue(!p.test("\"1\"", "1"));
        assertTrue(p.test("NaN", "NaN"));
        assertTrue(!p.test("123456789012345678901", "123456789012345678900"));
    }

    @Test
    void codeBlocks_preferPythonThenPlainAndSkipOthers() {
        assertEquals(Optional.of("x = 1\n"), CodeBlocks.lastPythonBlock("```python\nx = 1\n```\n```\n5\n```", true));
        assertEquals(Optional.of("y\n"), CodeBlocks.lastPythonBlock("```cpp\nint x;\n```\n```\ny\n```", true));
        assertEquals(Optional.empty(), CodeBlocks.lastPythonBlock("```cpp\nint x;\n```", true));
        assertEquals(Optional.of("a\n"), CodeBlocks.lastPythonBlock("```py\na\n```\n```python\ntruncated", true));
        assertEquals(Optional.empty(), CodeBlocks.lastPythonBlock("<think>```python\na\n```", true));
        assertEquals(Optional.of("a\n"), CodeBlocks.lastPythonBlock("<think>\n```python\na\n```", false));
        assertEquals(Optional.of("  b\n"), CodeBlocks.lastPythonBlock("~~~\n```Python3 title\n  b\n````\n", true));
    }

    @Provide
    Arbitrary<String> responses() {
        Arbitrary<String> pieces = Arbitraries.of("```", "```python", "```py\n", "\n", "print(1)", "<think>",
                "</think>", " ", "`", "````", "{", "\r\n");
        return Arbitraries.oneOf(pieces.list().ofMaxSize(40).map(l -> String.join("", l)),
                Arbitraries.strings().ofMaxLength(500));
    }

    @Property(tries = 300)
    void codeBlocks_anyText_neverThrows(@ForAll("responses") String response) {
        Optional<String> code = CodeBlocks.lastPythonBlock(response, true);
        code.ifPresent(c -> assertTrue(!c.isBlank()));
    }

    @Property(tries = 300)
    void fromInputOutputJson_anyText_throwsOnlyIllegalArgument(@ForAll("responses") String json) {
        try {
            assertTrue(CodeTests.fromInputOutputJson(json).size() > 0);
        } catch (IllegalArgumentException expected) {
            // reported with the field; never another exception
        }
    }
}
