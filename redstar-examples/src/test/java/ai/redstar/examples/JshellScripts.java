package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

/** Runs the JShell scripts of {@code src/main/jshell} in-process, snippet by snippet, as a user would paste them. */
final class JshellScripts {
    private JshellScripts() {
    }

    /** A JShell on this test's class path, executing locally. */
    static JShell newShell() {
        JShell shell = JShell.builder().executionEngine("local").build();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            shell.addToClasspath(entry);
        }
        return shell;
    }

    /**
     * Evaluates every snippet of {@code script} (lines starting with {@code /} are JShell commands and skipped), failing
     * the test on the first snippet that throws or is rejected, naming it.
     *
     * @return the number of snippets evaluated
     */
    static int runEverySnippet(JShell shell, Path script) throws IOException {
        String source = Files.readAllLines(script).stream()
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
        return snippets;
    }

    /** The value of {@code expression} in {@code shell}, as JShell prints it. */
    static String value(JShell shell, String expression) {
        return shell.eval(expression).get(0).value();
    }
}
