package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jshell.JShell;
import org.junit.jupiter.api.Test;

/** The end-to-end JShell walk-through of the API runs every snippet without an error and reaches each stage. */
class WalkthroughJshellTest {
    private static final Path SCRIPT = Path.of("src/main/jshell/walkthrough.jsh");

    @Test
    void walkthroughScript_runsEverySnippetWithoutError() throws Exception {
        try (JShell shell = JshellScripts.newShell()) {
            int snippets = JshellScripts.runEverySnippet(shell, SCRIPT);
            assertTrue(snippets > 20, "snippets: " + snippets);
            assertEquals("true", JshellScripts.value(shell, "verdict.correct()"));
            assertEquals("2", JshellScripts.value(shell, "completions.size()"));
            assertEquals("true", JshellScripts.value(shell, "dataset.tracesKept() > 0 && dataset.pairs() > 0"));
            assertEquals("20", JshellScripts.value(shell, "sft.steps()"));
            assertEquals("12", JshellScripts.value(shell, "report.overall().problems()"));
            assertEquals("true",
                    JshellScripts.value(shell, "report.overall().passAtK().isPresent() && report.greedy()"));
            assertEquals("true", JshellScripts.value(shell, "java.nio.file.Files.readAllLines(work.resolve(\"verdicts.jsonl\"))"
                    + ".size() == 12 * 5"));
        }
    }


    @Test
    void script_hasNoTabs() throws Exception {
        assertEquals(-1, Files.readString(SCRIPT).indexOf('\t'), "no tabs in the script");
    }
}
