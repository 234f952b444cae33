package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VerifyCommandTest {

    @TempDir
    Path folder;

    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

    private String run(Path input, String... options) {
        return run(0, input, options);
    }

    private String run(int expectedExit, Path input, String... options) {
        VerifyCommand command = new VerifyCommand();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        command.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(errors, true, StandardCharsets.UTF_8);
        String[] args = new String[options.length + 1];
        args[0] = input.toString();
        System.arraycopy(options, 0, args, 1, options.length);
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, c, p) -> {
            throw e;
        });
        int code = cli.execute(args);
        assertEquals(expectedExit, code, () -> errors.toString(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void verify_mixedFile_printsAccuracyAndReasons() throws IOException {
        Path input = folder.resolve("in.jsonl");
        Files.write(input, List.of(
                "{\"response\": \"so \\\\boxed{0.5}\", \"answer\": \"\\\\frac12\"}",
                "{\"response\": \"so \\\\boxed{(1,2]}\", \"answer\": \"[1,2]\"}",
                "{\"response\": \"no answer here\", \"answer\": \"3\"}",
                "",
                "{\"response\": \"The answer is (B)\", \"answer\": \"B\", \"choices\": \"A:1 B:2 C:3\"}"));
        Path verdicts = folder.resolve("verdicts.jsonl");
        String printed = run(input, "--threads", "2", "--verdicts", verdicts.toString());
        assertTrue(printed.contains("accuracy: 50.00% (2/4)"), printed);
        assertTrue(printed.contains("EQUAL_EXACT"), printed);
        assertTrue(printed.contains("CHOICE_MATCHED"), printed);
        assertTrue(printed.contains("NO_ANSWER"), printed);
        List<String> lines = Files.readAllLines(verdicts);
        assertEquals(4, lines.size());
        JsonObject second = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertEquals(2, second.get("line").getAsInt());
        assertEquals("DIFFERENT", second.get("reason").getAsString());
        assertEquals("(1, 2]", second.get("normalized_answer").getAsString());
    }

    @Test
    void verify_severalSamples_printsPassAtKAndMajority() throws IOException {
        Path input = folder.resolve("samples.jsonl");
        Files.write(input, List.of(
                "{\"completions\": [\"\\\\boxed{2}\", \"\\\\boxed{3}\", \"\\\\boxed{2.0}\", \"\\\\boxed{4}\"], \"gold\": \"2\"}",
                "{\"completions\": [\"\\\\boxed{1}\", \"\\\\boxed{5}\", \"\\\\boxed{5}\", \"\\\\boxed{1}\"], \"gold\": \"7\"}"));
        String printed = run(input, "--response-field", "completions", "--answer-field", "gold", "--k", "1,2");
        assertTrue(printed.contains("accuracy: 25.00% (2/8)"), printed);
        assertTrue(printed.contains("pass@1: 25.00%"), printed);
        assertTrue(printed.contains("pass@2: 41.67%"), printed); // (1 - C(2,2)/C(4,2)) / 2 = (5/6) / 2
        assertTrue(printed.contains("maj@n: 50.00% (1/2"), printed);
    }

    @Test
    void verify_malformedLine_namesFileAndLine() throws IOException {
        Path input = folder.resolve("bad.jsonl");
        Files.write(input, List.of("{\"response\": \"\\\\boxed{1}\", \"answer\": \"1\"}", "{\"answer\": \"1\"}"));
        run(2, input);
        String message = errors.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("bad.jsonl:2: field 'response' is missing"), message);
    }
}
