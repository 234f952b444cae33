package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GenerateCommandTest {
    @TempDir
    Path folder;

    private String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new GenerateCommand());
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertEquals(0, cli.execute(args), () -> out + "\n" + err);
        return out.toString();
    }

    @Test
    void initTiny_createsALoadableModel_andSamplesDeterministicallyPerSeed() throws Exception {
        Path model = folder.resolve("tiny");
        String first = run("--model", model.toString(), "--init-tiny", "--prompt", "2+2=", "--seed", "7",
                "--max-new-tokens", "12");
        assertTrue(first.contains("created a tiny random Qwen2 model"), first);
        for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "generation_config.json"}) {
            assertTrue(Files.exists(model.resolve(file)), file);
        }
        String again = run("--model", model.toString(), "--prompt", "2+2=", "--seed", "7", "--max-new-tokens", "12");
        assertEquals(samples(first), samples(again));
        String other = run("--model", model.toString(), "--prompt", "2+2=", "--seed", "8", "--max-new-tokens", "12");
        assertNotEquals(samples(first), samples(other));
    }

    @Test
    void chatMode_greedy_isRepeatable() {
        Path model = folder.resolve("tiny");
        String[] args = {"--model", model.toString(), "--init-tiny", "--chat", "--prompt", "hi", "--temperature", "0",
            "--max-new-tokens", "8"};
        String first = run(args);
        assertTrue(first.contains("--- sample 0"), first);
        assertEquals(samples(first), samples(run(args)));
    }

    @Test
    void greedyWithSeveralSamples_failsWithTheGeneratorsExplanation() {
        Path model = folder.resolve("tiny");
        run("--model", model.toString(), "--init-tiny", "--prompt", "x", "--max-new-tokens", "1");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new GenerateCommand());
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        assertNotEquals(0, cli.execute("--model", model.toString(), "--prompt", "x", "--temperature", "0", "-n", "2"));
        assertTrue(err.toString().contains("samplesPerPrompt is 2 with temperature 0"), err.toString());
    }

    @Test
    void readmeQuickStart_mainCommandRuns() throws Exception {
        String line = Files.readAllLines(Path.of("../README.md")).stream()
                .filter(l -> l.startsWith("./redstar generate --model runs/tiny --init-tiny"))
                .findFirst().orElseThrow(() -> new AssertionError("README lost its quick-start command"));
        java.util.List<String> args = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
        while (m.find()) {
            args.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        assertEquals(List.of("./redstar", "generate"), args.subList(0, 2));
        args = args.subList(2, args.size());
        args.set(args.indexOf("runs/tiny"), folder.resolve("runs/tiny").toString());
        String out = run(args.toArray(String[]::new));
        assertTrue(out.contains("--- sample 0"), out);
    }

    /** The sampled text of an output, without timings. */
    private static String samples(String out) {
        StringBuilder sb = new StringBuilder();
        out.lines().filter(l -> !l.startsWith("--- ") && !l.startsWith("created")).forEach(sb::append);
        return sb.toString();
    }
}
