package ai.redstar.verify.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without bubblewrap, code is refused unless unsandboxed runs were explicitly allowed. */
class SandboxUnavailableTest {

    private static final Path MISSING = Path.of("/nonexistent/redstar/bwrap");

    @TempDir
    Path dir;

    @Test
    void availability_missingBubblewrap_saysWhy() {
        SandboxAvailability a = CodeSandbox.builder().bubblewrap(MISSING).build().availability();
        assertFalse(a.available());
        assertTrue(a.detail().contains(MISSING.toString()), a.detail());
        assertTrue(a.detail().contains("bubblewrap"), a.detail());
    }

    @Test
    void run_missingBubblewrap_refusesAndRunsNothing() {
        Path canary = dir.resolve("ran-" + UUID.randomUUID());
        CodeSandbox sandbox = CodeSandbox.builder().bubblewrap(MISSING).build();
        CodeResult r = sandbox.run("open('" + canary + "', 'w').write('x')\nprint(1)\n",
                CodeTests.stdio(List.of(new CodeTests.StdioCase("", "1"))));
        assertFalse(r.correct());
        assertEquals(CodeResult.Reason.SANDBOX_UNAVAILABLE, r.reason());
        assertEquals(Isolation.NOT_RUN, r.isolation());
        assertTrue(r.detail().contains("allowUnsandboxed"), r.detail());
        assertTrue(r.cases().isEmpty());
        assertFalse(Files.exists(canary), "the program never ran");
    }

    @Test
    void run_missingBubblewrapButUnsandboxedAllowed_runsAndSaysSo() throws IOException {
        Path canary = dir.resolve("ran-" + UUID.randomUUID());
        CodeSandbox sandbox = CodeSandbox.builder().bubblewrap(MISSING).allowUnsandboxed(true)
                .timeLimit(Duration.ofSeconds(1)).build();
        CodeResult r = sandbox.run("open('" + canary + "', 'w').write('x')\nprint(int(input()) + 1)\n",
                CodeTests.stdio(List.of(new CodeTests.StdioCase("1", "2"), new CodeTests.StdioCase("5", "6"))));
        assertTrue(r.correct(), r.detail());
        assertEquals(Isolation.UNSANDBOXED, r.isolation());
        assertTrue(Files.exists(canary), "unsandboxed code reaches the host, as documented");
        Files.delete(canary);
    }

    @Test
    void run_unsandboxedInfiniteLoop_stillTimesOut() {
        CodeSandbox sandbox = CodeSandbox.builder().bubblewrap(MISSING).allowUnsandboxed(true)
                .timeLimit(Duration.ofMillis(500)).build();
        CodeResult r = sandbox.run("while True:\n    pass\n", CodeTests.stdio(List.of(new CodeTests.StdioCase("", ""))));
        assertEquals(CaseStatus.TIMEOUT, r.cases().get(0).status(), r.detail());
    }
}
