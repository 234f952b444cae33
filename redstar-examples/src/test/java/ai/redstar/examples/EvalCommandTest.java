package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

    private int run(String... args) {
        EvalCommand command = new EvalCommand();
        command.stdout = new PrintStream(output, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(errors, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, c, p) -> {
            throw e;
        });
        return cli.execute(args);
    }

    private Path problems() throws Exception {
        Path file = dir.resolve("bench.jsonl");
        Files.writeString(file, """
                {"id":"a","question":"1+1?","answer":"2","level":"1"}
                {"id":"b","question":"2+3?","answer":"5","level":"2"}
                {"id":"c","question":"9+9?","answer":"18","level":"2"}
                """);
        return file;
    }

    @Test
    void eval_tinyModel_printsTableAndWritesReportAndVerdicts() throws Exception {
        Path model = dir.resolve("tiny");
        GenerateCommand.createTinyModel(model, 1);
        Path out = dir.resolve("out");

        int code = run("--model", model.toString(), "--data", problems().toString(), "--samples", "2",
                "--temperature", "1.0", "--max-new-tokens", "5", "--seed", "3", "--greedy", "--out", out.toString(),
                "--device", "cpu");

        assertEquals(0, code, errors.toString(StandardCharsets.UTF_8));
        String printed = output.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("pass@2") && printed.contains("maj@2") && printed.contains("greedy"), printed);
        JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(3, report.getAsJsonObject("overall").get("problems").getAsInt());
        assertEquals(2, report.getAsJsonArray("levels").size());
        assertEquals(3 * 3, Files.readAllLines(out.resolve("verdicts.jsonl")).size());
    }

    @Test
    void eval_greedyWithSeveralSamples_exitsTwoNamingTheRule() throws Exception {
        Path model = dir.resolve("tiny");
        GenerateCommand.createTinyModel(model, 1);

        int code = run("--model", model.toString(), "--data", problems().toString(), "--samples", "4",
                "--temperature", "0", "--device", "cpu");

        assertEquals(2, code);
        String message = errors.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("temperature 0 (greedy) with samples 4"), message);
    }

    @Test
    void eval_promptWithoutPlaceholder_exitsTwoNamingIt() throws Exception {
        Path model = dir.resolve("tiny");
        GenerateCommand.createTinyModel(model, 1);

        int code = run("--model", model.toString(), "--data", problems().toString(), "--prompt", "no placeholder",
                "--device", "cpu");

        assertEquals(2, code);
        String message = errors.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("{question}"), message);
    }

    @Test
    void eval_unknownFormat_exitsTwo() throws Exception {
        int code = run("--model", dir.toString(), "--data", problems().toString(), "--format", "nope");
        assertEquals(2, code);
        assertTrue(errors.toString(StandardCharsets.UTF_8).contains("--format must be one of"));
    }
}
