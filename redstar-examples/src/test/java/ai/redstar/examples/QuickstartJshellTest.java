package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JShell walk-through that the README shows runs without an error. */
class QuickstartJshellTest {
    private static final Path SCRIPT = Path.of("src/main/jshell/quickstart.jsh");

    @TempDir
    Path folder;

    @Test
    void quickstartScript_runsEverySnippetWithoutError() throws Exception {
        Path model = folder.resolve("tiny");
        GenerateCommand.createTinyModel(model, 1);
        String old = System.getProperty("redstar.model");
        System.setProperty("redstar.model", model.toString());
        try (JShell shell = JShell.builder()
                .executionEngine("local")
                .build()) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            String source = Files.readAllLines(SCRIPT).stream()
                    .filter(line -> !line.startsWith("/"))
                    .collect(Collectors.joining("\n"));
            SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
            int snippets = 0;
            while (!source.isBlank()) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(source);
                List<SnippetEvent> events = shell.eval(info.source());
                for (SnippetEvent event : events) {
                    if (event.exception() != null) {
                        fail("snippet threw: " + info.source().strip() + "\n" + event.exception());
                    }
                    if (event.status() == Snippet.Status.REJECTED) {
                        String why = shell.diagnostics(event.snippet())
                                .map(d -> d.getMessage(null)).collect(Collectors.joining("; "));
                        fail("snippet rejected: " + info.source().strip() + "\n" + why);
                    }
                }
                snippets++;
                source = info.remaining();
            }
            assertTrue(snippets > 10, "snippets: " + snippets);
            assertEquals("2", value(shell, "result.completions().size()"));
            assertEquals("true", value(shell, "verdict.correct()"));
        } finally {
            if (old == null) {
                System.clearProperty("redstar.model");
            } else {
                System.setProperty("redstar.model", old);
            }
        }
    }

    private static String value(JShell shell, String expression) {
        return shell.eval(expression).get(0).value();
    }

    @Test
    void readme_showsTheScriptVerbatim() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String script = Files.readString(SCRIPT);
        assertTrue(readme.contains(script.strip()), "README.md must quote " + SCRIPT + " verbatim");
        assertEquals(-1, script.indexOf('\t'), "no tabs in the script");
    }
}
