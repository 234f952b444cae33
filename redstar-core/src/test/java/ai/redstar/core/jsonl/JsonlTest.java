package ai.redstar.core.jsonl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    @Test
    void read_skipsBlankLines_andKeepsPhysicalLineNumbers() throws IOException {
        Path file = write("a.jsonl", "{\"id\":1}\n\n   \n{\"id\":2}\r\n{\"id\":3}");
        try (JsonlReader reader = Jsonl.reader(file)) {
            List<JsonlRecord> records = List.of(reader.next(), reader.next(), reader.next());
            assertFalse(reader.hasNext());
            assertEquals(List.of(1L, 4L, 5L), records.stream().map(JsonlRecord::lineNumber).toList());
            assertEquals(List.of(1L, 2L, 3L), records.stream().map(r -> r.integer("id")).toList());
        }
    }

    @Test
    void read_byteOrderMark_isIgnored() throws IOException {
        Path file = dir.resolve("bom.jsonl");
        byte[] body = "{\"q\":\"é\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[body.length + 3];
        bytes[0] = (byte) 0xEF;
        bytes[1] = (byte) 0xBB;
        bytes[2] = (byte) 0xBF;
        System.arraycopy(body, 0, bytes, 3, body.length);
        Files.write(file, bytes);
        try (Stream<JsonlRecord> records = Jsonl.stream(file)) {
            assertEquals(List.of("é"), records.map(r -> r.string("q")).toList());
        }
    }

    @Test
    void read_malformedLine_failsNamingFileLineAndProblem() throws IOException {
        Path file = write("cot.jsonl", "{\"a\":1}\n{\"a\":\n");
        try (JsonlReader reader = Jsonl.reader(file)) {
            reader.next();
            JsonlException e = assertThrows(JsonlException.class, reader::next);
            assertEquals(2, e.lineNumber());
            assertEquals(file, e.file());
            assertTrue(e.getMessage().startsWith(file + " line 2: malformed JSON: "), e.getMessage());
        }
    }

    @Test
    void read_lenientJson_isMalformed() throws IOException {
        List<String> lenient = List.of("{'a': 1}", "{a: 1}", "{\"a\": NaN}", "{\"a\": 1} // c", "{\"a\": 1} x",
                "{\"a\": 1,}", "{\"a\": 1} {\"b\": 2}", "{\"a\": 01}");
        for (String line : lenient) {
            Path file = write("l.jsonl", line + "\n");
            try (JsonlReader reader = Jsonl.reader(file)) {
                assertThrows(JsonlException.class, reader::hasNext, line);
            }
        }
    }

    @Test
    void read_nonObjectLine_isMalformed() throws IOException {
        Path file = write("n.jsonl", "[1,2]\n");
        try (JsonlReader reader = Jsonl.reader(file)) {
            JsonlException e = assertThrows(JsonlException.class, reader::hasNext);
            assertEquals(file + " line 1: expected a JSON object, found an array of 2", e.getMessage());
        }
    }

    @Test
    void read_invalidUtf8_isMalformed_andSkippable() throws IOException {
        Path file = dir.resolve("u.jsonl");
        byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}', '\n'};
        byte[] good = "{\"a\":\"ok\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bad.length + good.length];
        System.arraycopy(bad, 0, all, 0, bad.length);
        System.arraycopy(good, 0, all, bad.length, good.length);
        Files.write(file, all);
        try (JsonlReader reader = Jsonl.reader(file)) {
            JsonlException e = assertThrows(JsonlException.class, reader::hasNext);
            assertTrue(e.getMessage().contains("line 1: not valid UTF-8"), e.getMessage());
        }
        try (JsonlReader reader = Jsonl.reader(file, MalformedLinePolicy.SKIP)) {
            assertEquals("ok", reader.next().string("a"));
            assertFalse(reader.hasNext());
            assertEquals(1, reader.skippedLines());
        }
    }

    @Test
    void read_skipPolicy_countsAndContinues() throws IOException {
        Path file = write("s.jsonl", "{\"i\":1}\nnot json\n\n{\"i\":2}\n42\n{\"i\":3}\n");
        try (JsonlReader reader = Jsonl.reader(file, MalformedLinePolicy.SKIP)) {
            List<Long> ids = reader.stream().map(r -> r.integer("i")).toList();
            assertEquals(List.of(1L, 2L, 3L), ids);
            assertEquals(2, reader.skippedLines());
        }
    }

    @Test
    void read_lineOverTheLimit_isMalformed_andTheNextLineStillReads() throws IOException {
        Path file = write("long.jsonl", "{\"text\":\"" + "x".repeat(100) + "\"}\n{\"i\":2}\n");
        try (JsonlReader reader = new JsonlReader(file, MalformedLinePolicy.SKIP, 64)) {
            assertEquals(2, reader.next().lineNumber());
            assertEquals(1, reader.skippedLines());
        }
        try (JsonlReader reader = new JsonlReader(file, MalformedLinePolicy.FAIL, 64)) {
            JsonlException e = assertThrows(JsonlException.class, reader::next);
            assertEquals(file + " line 1: line is longer than 64 bytes", e.getMessage());
        }
    }

    @Test
    void read_closedStream_closesReader() throws IOException {
        Path file = write("c.jsonl", "{\"i\":1}\n{\"i\":2}\n");
        JsonlReader reader = Jsonl.reader(file);
        try (Stream<JsonlRecord> stream = reader.stream()) {
            assertEquals(1, stream.findFirst().orElseThrow().integer("i"));
        }
        assertFalse(reader.hasNext());
    }

    @Test
    void fieldAccessors_nameFileLineAndField() throws IOException {
        Path file = write("cot.jsonl", "\n".repeat(411)
                + "{\"q\":\"\",\"w\":\"  \",\"n\":2.5,\"s\":\"x\",\"z\":null,\"b\":true,\"big\":1e30}\n");
        JsonlRecord r;
        try (JsonlReader reader = Jsonl.reader(file)) {
            r = reader.next();
        }
        String at = file + " line 412: ";
        assertEquals(at + "field 'answer' is missing",
                assertThrows(JsonlException.class, () -> r.string("answer")).getMessage());
        assertEquals(at + "field 'z' is missing",
                assertThrows(JsonlException.class, () -> r.string("z")).getMessage());
        assertEquals(at + "field 'q' is empty",
                assertThrows(JsonlException.class, () -> r.nonEmptyString("q")).getMessage());
        assertEquals(at + "field 'w' is blank (only whitespace)",
                assertThrows(JsonlException.class, () -> r.nonEmptyString("w")).getMessage());
        assertEquals(at + "field 'n' is not a string (found number 2.5)",
                assertThrows(JsonlException.class, () -> r.string("n")).getMessage());
        assertEquals(at + "field 'n' is not an integer in the 64-bit range (found number 2.5)",
                assertThrows(JsonlException.class, () -> r.integer("n")).getMessage());
        assertEquals(at + "field 'big' is not an integer in the 64-bit range (found number 1e30)",
                assertThrows(JsonlException.class, () -> r.integer("big")).getMessage());
        assertEquals(at + "field 's' is not a boolean (found string \"x\")",
                assertThrows(JsonlException.class, () -> r.bool("s")).getMessage());
        assertEquals(at + "field 'b' is not an array (found boolean true)",
                assertThrows(JsonlException.class, () -> r.array("b")).getMessage());
        assertEquals(2.5, r.number("n"));
        assertTrue(r.bool("b"));
        assertTrue(r.optionalString("z").isEmpty());
        assertEquals("x", r.optionalString("s").orElseThrow());
        assertEquals(at + "field 'level' must be 1 to 5", r.problem("field 'level' must be 1 to 5").getMessage());
    }

    @Test
    void write_isReadableBeforeClose_andCarriesUnknownFieldsAndNulls() throws IOException {
        Path file = dir.resolve("out.jsonl");
        JsonObject record = JsonParser.parseString(
                "{\"question\":\"1+1\",\"extra\":{\"nested\":[1,null,\"<b>\\u2028é\"]},\"nothing\":null}")
                .getAsJsonObject();
        try (JsonlWriter writer = Jsonl.append(file)) {
            writer.write(record);
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertEquals(1, lines.size());
            assertEquals(record, JsonParser.parseString(lines.get(0)));
            writer.write(record);
            writer.sync();
            assertEquals(2, writer.recordsWritten());
        }
        try (Stream<JsonlRecord> records = Jsonl.stream(file)) {
            List<JsonlRecord> all = records.collect(Collectors.toList());
            assertEquals(2, all.size());
            assertEquals(record, all.get(1).json());
            assertEquals(JsonNull.INSTANCE, all.get(1).json().get("nothing"));
        }
    }

    @Test
    void write_afterTornLine_startsNewLine() throws IOException {
        Path file = write("torn.jsonl", "{\"i\":1}\n{\"i\":");
        try (JsonlWriter writer = Jsonl.append(file)) {
            JsonObject o = new JsonObject();
            o.addProperty("i", 3);
            writer.write(o);
        }
        try (JsonlReader reader = Jsonl.reader(file, MalformedLinePolicy.SKIP)) {
            assertEquals(List.of(1L, 3L), reader.stream().map(r -> r.integer("i")).toList());
            assertEquals(1, reader.skippedLines());
        }
    }

    @Test
    void write_afterClose_isMisuse() {
        JsonlWriter writer = Jsonl.append(dir.resolve("closed.jsonl"));
        writer.close();
        writer.close();
        assertThrows(IllegalStateException.class, () -> writer.write(new JsonObject()));
    }

    @Test
    void write_nonFiniteNumber_isRejected() {
        try (JsonlWriter writer = Jsonl.append(dir.resolve("nan.jsonl"))) {
            JsonObject o = new JsonObject();
            o.addProperty("x", Double.NaN);
            assertThrows(IllegalArgumentException.class, () -> writer.write(o));
        }
    }
}
