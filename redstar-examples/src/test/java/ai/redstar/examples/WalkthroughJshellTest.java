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

/** The end-to-end JShell walk-through of the API runs every snippet without an error and reaches each stage. */
class WalkthroughJshellTest {
    private static final Path SCRIPT = Path.of("src/main/jshell/walkthrough.jsh");

    @Test
    void walkthroughScript_runsEverySnippetWithoutError() throws Exception {
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
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
            assertTrue(snippets > 20, "snippets: " + snippets);
            assertEquals("true", value(shell, "verdict.correct()"));
            assertEquals("2", value(shell, "completions.size()"));
            assertEquals("true", value(shell, "dataset.tracesKept() > 0 && dataset.pairs() > 0"));
            assertEquals("20", value(shell, "sft.steps()"));
            assertEquals("12", value(shell, "report.overall().problems()"));
            assertEquals("true", value(shell, "report.overall().passAtK().isPresent() && report.greedy()"));
            assertEquals("true", value(shell, "java.nio.file.Files.readAllLines(work.resolve(\"verdicts.jsonl\"))"
                    + ".size() == 12 * 5"));
        }
    }

    private static String value(JShell shell, String expression) {
        return shell.eval(expression).get(0).value();
    }

    @Test
    void script_hasNoTabs() throws Exception {
        assertEquals(-1, Files.readString(SCRIPT).indexOf('\t'), "no tabs in the script");
    }
}
