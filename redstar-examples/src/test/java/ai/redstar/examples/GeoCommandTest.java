package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.redstar.core.vision.VisionLm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GeoCommandTest {
    @TempDir
    Path dir;

    @Test
    void geo_tinyRun_writesDatasetAndCheckpointAndPrintsAccuracyByLevel() {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        GeoCommand command = new GeoCommand();
        command.out = new PrintStream(output, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
        Path out = dir.resolve("run");
        int code = cli.execute("--output", out.toString(), "--levels", "1,2", "--train", "8", "--eval", "4",
                "--max-steps", "2", "--hidden", "32", "--image-size", "32", "--progress", "off");
        String text = output.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("level  correct  total  accuracy"), text);
        assertTrue(text.matches("(?s).*\\n\\s+1\\s+\\d+\\s+2\\s+\\d\\.\\d{3}\\n\\s+2\\s+\\d+\\s+2\\s+.*"), text);
        assertTrue(Files.isRegularFile(out.resolve("data/train.jsonl")), text);
        assertTrue(Files.isRegularFile(out.resolve("data/heldout-problems.jsonl")), text);
        Path checkpoint = out.resolve("checkpoints/checkpoint-2");
        assertTrue(text.contains("checkpoint: " + checkpoint), text);
        assertTrue(Files.isRegularFile(checkpoint.resolve("preprocessor_config.json")));
        try (VisionLm model = VisionLm.load(checkpoint, Device.cpu())) {
            assertEquals(32, model.config().visionConfig().imageSize());
        }
    }

    @Test
    void geo_isARedstarSubcommand() {
        assertTrue(new CommandLine(new RedstarCli()).getSubcommands().containsKey("geo"));
        assertTrue(new CommandLine(new RedstarCli()).getSubcommands().get("bench").getSubcommands()
                .containsKey("vlm"));
    }
}
