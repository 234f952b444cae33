package ai.redstar.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RlBenchTest {
    @Test
    void tinyRun_printsOneParsableLinePerStrategy() {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            rc = new CommandLine(new RlBench()).execute("--tiny", "--steps", "1", "--prompts", "1", "--samples", "2",
                    "--new-tokens", "4");
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, rc);
        List<String> strategies = new ArrayList<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            assertEquals("rl_step", o.get("figure").getAsString());
            strategies.add(o.get("strategy").getAsString());
            assertTrue(o.get("seconds").getAsDouble() > 0 && o.get("tokens_per_s").getAsDouble() > 0, line);
            if (!o.get("strategy").getAsString().equals("Dpo")) {
                assertTrue(o.get("generation_seconds").getAsDouble() > 0 && o.get("scoring_seconds").getAsDouble() > 0
                        && o.get("training_seconds").getAsDouble() > 0, line);
            }
        }
        assertEquals(List.of("ReinforcePlusPlus", "Grpo", "Ppo", "Dpo"), strategies);
    }
}
