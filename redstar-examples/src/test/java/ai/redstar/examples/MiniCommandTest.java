package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.examples.mini.MiniRedstar;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MiniCommandTest {
    @Test
    void options_quickWithSizesStepsAndStrategy_goIntoTheBuilder() {
        MiniCommand c = new MiniCommand();
        new CommandLine(c).parseArgs("--quick", "--out", "/tmp/m", "--seed", "7", "--strategy", "grpo",
                "--data-sizes", "100,400", "--rl-steps", "3");
        MiniRedstar m = c.builder().build();
        assertEquals(Path.of("/tmp/m"), m.outputDir());
        assertEquals(7, m.seed());
        assertEquals(MiniRedstar.Strategy.GRPO, m.strategy());
        assertEquals(List.of(100, 400), m.settings().dataSizes());
        assertEquals(3, m.settings().rlSteps());
        assertEquals(MiniRedstar.Preset.QUICK.settings().k(), m.settings().k());
    }

    @Test
    void options_defaults_areFullPresetReinforcePlusPlusInRunsMini() {
        MiniCommand c = new MiniCommand();
        new CommandLine(c).parseArgs();
        MiniRedstar m = c.builder().build();
        assertEquals(Path.of("runs/mini"), m.outputDir());
        assertEquals(MiniRedstar.Strategy.REINFORCE_PP, m.strategy());
        assertEquals(MiniRedstar.Preset.FULL.settings(), m.settings());
    }

    @Test
    void options_quickWithoutOut_writesToItsOwnFolder() {
        MiniCommand c = new MiniCommand();
        new CommandLine(c).parseArgs("--quick");
        assertEquals(Path.of("runs/mini-quick"), c.builder().build().outputDir());
    }

    @Test
    void options_unknownStrategy_isAUsageErrorNamingTheChoices() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RedstarCli());
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("mini", "--strategy", "a2c");
        assertNotEquals(0, code);
        assertTrue(err.toString().contains("reinforce++, grpo, ppo, dpo"), err.toString());
    }
}
