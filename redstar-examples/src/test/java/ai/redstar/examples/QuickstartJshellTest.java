package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jshell.JShell;
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
        try (JShell shell = JshellScripts.newShell()) {
            int snippets = JshellScripts.runEverySnippet(shell, SCRIPT);
            assertTrue(snippets > 10, "snippets: " + snippets);
            assertEquals("2", JshellScripts.value(shell, "result.completions().size()"));
            assertEquals("true", JshellScripts.value(shell, "verdict.correct()"));
        } finally {
            if (old == null) {
                System.clearProperty("redstar.model");
            } else {
                System.setProperty("redstar.model", old);
            }
        }
    }


    @Test
    void readme_showsTheScriptVerbatim() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String script = Files.readString(SCRIPT);
        assertTrue(readme.contains(script.strip()), "README.md must quote " + SCRIPT + " verbatim");
        assertEquals(-1, script.indexOf('\t'), "no tabs in the script");
    }
}
