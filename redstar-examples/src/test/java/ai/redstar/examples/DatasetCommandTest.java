package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DatasetCommandTest {
    private static final Pattern SUM = Pattern.compile("(\\d+) \\+ (\\d+)");

    @TempDir
    Path folder;

    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

    /** A loopback chat-completions server: choice i is right when i is even, with its thinking apart. */
    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            JsonObject request = JsonParser.parseString(new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8)).getAsJsonObject();
            String question = request.getAsJsonArray("messages").get(0).getAsJsonObject().get("content")
                    .getAsString();
            Matcher m = SUM.matcher(question);
            int sum = m.find() ? Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) : 0;
            JsonObject body = new JsonObject();
            JsonArray choices = new JsonArray();
            for (int i = 0; i < request.get("n").getAsInt(); i++) {
                JsonObject message = new JsonObject();
                message.addProperty("role", "assistant");
                message.addProperty("reasoning_content", "Adding the numbers in step " + i + " gives " + sum + ".");
                message.addProperty("content", "The answer is $\\boxed{" + (sum + i % 2) + "}$.");
                JsonObject choice = new JsonObject();
                choice.addProperty("index", i);
                choice.add("message", message);
                choice.addProperty("finish_reason", "stop");
                choices.add(choice);
            }
            body.add("choices", choices);
            byte[] bytes = (status.get() == 200 ? body.toString() : "{\"error\":\"denied\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), bytes.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort()
                + "/v1";
    }

    private String run(int expectedExit, String... args) {
        DatasetCommand command = new DatasetCommand();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        command.console = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(errors, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, c, p) -> {
            throw e;
        });
        int code = cli.execute(args);
        assertEquals(expectedExit, code, () -> errors.toString(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private Path problems() throws IOException {
        Path input = folder.resolve("gsm.jsonl");
        Files.write(input, List.of(
                "{\"question\":\"What is 2 + 3?\",\"answer\":\"2 + 3 = 5\\n#### 5\",\"grade\":1}",
                "{\"question\":\"What is 40 + 2?\",\"answer\":\"#### 42\",\"grade\":2}"));
        return input;
    }

    @Test
    void dataset_againstAServer_writesSftPairsAndPrintsTheReport() throws IOException {
        Path out = folder.resolve("out");
        String printed = run(0, problems().toString(), "--format", "gsm8k", "--base-url", baseUrl(), "--model",
                "teacher", "--samples", "4", "--out", out.toString(), "--parallelism", "2");
        assertTrue(printed.contains("kept (SFT records)"), printed);
        List<String> sft = Files.readAllLines(out.resolve("sft.jsonl"));
        assertEquals(4, sft.size(), "two right choices of four per problem");
        JsonObject first = JsonParser.parseString(sft.get(0)).getAsJsonObject();
        String trace = first.getAsJsonArray("messages").get(1).getAsJsonObject().get("content").getAsString();
        assertTrue(trace.startsWith("<think>\nAdding the numbers"), trace);
        assertEquals(1, first.get("grade").getAsInt(), "input fields are carried through");
        assertEquals(2, Files.readAllLines(out.resolve("pairs.jsonl")).size());
        String again = run(0, problems().toString(), "--format", "gsm8k", "--base-url", baseUrl(), "--model",
                "teacher", "--samples", "4", "--out", out.toString());
        assertEquals(printed.replaceAll("(?s)Wrote.*", ""), again.replaceAll("(?s)Wrote.*", ""),
                "a finished run reports the same dataset");
    }

    @Test
    void dataset_teacherRefusing_exitsThreeAndSaysHowToContinue() throws IOException {
        status.set(401);
        run(3, problems().toString(), "--format", "gsm8k", "--base-url", baseUrl(), "--model", "teacher",
                "--out", folder.resolve("o").toString());
        String message = errors.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("HTTP 401") && message.contains("run the same command again"), message);
    }

    @Test
    void dataset_badSettings_exitTwoNamingThem() throws IOException {
        run(2, problems().toString(), "--format", "nope", "--base-url", baseUrl(), "--model", "m", "--out",
                folder.resolve("o").toString());
        assertTrue(errors.toString(StandardCharsets.UTF_8).contains("--format must be one of"));
        Path bad = folder.resolve("bad.jsonl");
        Files.write(bad, List.of("{\"question\":\"What is 1 + 1?\"}"));
        run(2, bad.toString(), "--format", "gsm8k", "--base-url", baseUrl(), "--model", "m", "--out",
                folder.resolve("o2").toString());
        assertTrue(errors.toString(StandardCharsets.UTF_8).contains("bad.jsonl line 1: field 'answer' is missing"),
                errors.toString(StandardCharsets.UTF_8));
    }
}
