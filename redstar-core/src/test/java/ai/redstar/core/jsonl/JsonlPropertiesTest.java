package ai.redstar.core.jsonl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class JsonlPropertiesTest {
    @Provide
    Arbitrary<List<String>> lines() {
        Arbitrary<String> junk = Arbitraries.strings().withChars("{}[]\":,0123456789abtrue nul\\'\t\r\u00e9\ud83d\ude00")
                .ofMaxLength(30);
        Arbitrary<String> objects = Arbitraries.strings().ofMaxLength(20)
                .map(s -> "{\"s\":" + new com.google.gson.Gson().toJson(s) + "}");
        return Arbitraries.oneOf(junk, objects).list().ofMaxSize(12);
    }

    @Property(tries = 200)
    void arbitraryLines_underSkip_neverThrow_andEveryNonBlankLineIsCounted(@ForAll("lines") List<String> lines) {
        Path file = writeTemp(lines);
        try (JsonlReader reader = Jsonl.reader(file, MalformedLinePolicy.SKIP)) {
            long records = reader.stream().count();
            long nonBlank = lines.stream().flatMap(l -> List.of(l.split("\n", -1)).stream())
                    .map(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l)
                    .filter(l -> !l.isBlank()).count();
            assertEquals(nonBlank, records + reader.skippedLines());
        } finally {
            delete(file);
        }
    }

    @Property(tries = 200)
    void arbitraryLines_underFail_throwOnlyJsonlException(@ForAll("lines") List<String> lines) {
        Path file = writeTemp(lines);
        try (JsonlReader reader = Jsonl.reader(file)) {
            while (reader.hasNext()) {
                reader.next();
            }
        } catch (JsonlException expected) {
            // a malformed line is reported as data error
        } finally {
            delete(file);
        }
    }

    private static Path writeTemp(List<String> lines) {
        try {
            Path file = Files.createTempFile("jsonl-prop", ".jsonl");
            Files.write(file, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
