package ai.redstar.verify.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SandboxBenchmarkTest {

    @Test
    void trivialStdio_countsEveryCaseAndPrintsOneJsonLine() {
        CodeSandbox sandbox = CodeSandbox.builder().timeLimit(Duration.ofSeconds(2)).build();
        Sandboxes.requireAvailable(sandbox);
        SandboxBenchmark.Figures f = SandboxBenchmark.trivialStdio(sandbox, 3, 4, 2);
        assertEquals(Isolation.BUBBLEWRAP, f.isolation());
        assertEquals(12, f.casesPassed(), "the trivial program passes every case");
        String json = f.toJson();
        assertTrue(!json.contains("\n"));
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        assertEquals("code_sandbox", o.get("benchmark").getAsString());
        assertEquals(4, o.get("cases_per_program").getAsInt());
        assertTrue(o.get("cases_per_s").getAsDouble() > 0);
    }

    @Test
    void measure_invalidCounts_throw() {
        CodeSandbox sandbox = CodeSandbox.builder().build();
        assertThrows(IllegalArgumentException.class, () -> SandboxBenchmark.trivialStdio(sandbox, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> SandboxBenchmark.trivialStdio(sandbox, 1, 0, 1));
    }
}
