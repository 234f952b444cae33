package ai.redstar.examples.mini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.model.CausalLm;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MiniRedstarTest {
    static {
        // a tiny model is dispatch-bound; one libtorch thread avoids spinning against other processes (only takes
        // effect when no earlier test of this JVM has loaded the engine)
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
    }

    /** Tiny sizes: wiring only, the numbers mean nothing. */
    static final MiniRedstar.Settings TINY = new MiniRedstar.Settings(1, 2, 12, 3, 4, List.of(10, 30), 1, 512, 3e-3,
            16, 1, 1, 2, 2, 1e-4, 2);

    @Test
    void run_tinySettings_writesEveryStageAndReport_andRerunsOnlyWhatChanged(@TempDir Path dir) throws Exception {
        List<String> log = new ArrayList<>();
        MiniRedstar.Result first = MiniRedstar.builder(dir).settings(TINY).seed(3).progress(Progress.Mode.OFF)
                .log(log::add).build().run();

        assertEquals(List.of(10, 30), first.sizes().stream().map(MiniRedstar.SizeResult::records).toList());
        assertTrue(first.skipped().isEmpty(), "nothing to skip on a first run: " + first.skipped());
        for (String f : List.of("problems/train.jsonl", "problems/eval.jsonl", "dataset/sft.jsonl",
                "dataset/pairs.jsonl", "tokenizer/tokenizer.json", "sft/records-10/model.safetensors",
                "sft/records-30/config.json", "rl/model/config.json", MiniReport.RESULTS, MiniReport.HTML)) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f + " missing");
        }
        assertEquals(24, Files.readAllLines(dir.resolve("problems/train.jsonl")).size());
        assertEquals(6, Files.readAllLines(dir.resolve("problems/eval.jsonl")).size());
        String md = Files.readString(dir.resolve(MiniReport.MARKDOWN));
        assertTrue(md.contains("synthetic miniature") && md.contains("held-out"), md);
        assertTrue(md.contains("| SFT, 10 records (greedy) | 6 |") && md.contains("| SFT, 30 records (greedy) | 6 |"),
                md);
        assertTrue(md.contains("reinforce++ pass@2") && md.contains("maj@2"), md);
        assertTrue(Files.readString(dir.resolve(MiniReport.HTML)).contains("<table>"));
        BufferedImage png = ImageIO.read(dir.resolve(MiniReport.CHART).toFile());
        assertNotNull(png, "accuracy.png is not a readable image");
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
        // the RL checkpoint is a loadable Hugging Face folder with its tokenizer
        try (CausalLm lm = CausalLm.load(dir.resolve("rl/model"), Device.cpu());
                ChatTokenizer tok = ChatTokenizer.load(dir.resolve("rl/model"))) {
            assertEquals(tok.vocabularySize(), lm.config().vocabSize());
        }

        // another strategy: only the RL stage runs again (DPO on the dataset's pairs)
        MiniRedstar.Result second = MiniRedstar.builder(dir).settings(TINY).seed(3).progress(Progress.Mode.OFF)
                .strategy(MiniRedstar.Strategy.DPO).build().run();
        assertEquals(List.of("problems", "dataset", "tokenizer", "sft-10", "sft-30"), second.skipped());
        assertEquals(first.sizes().get(1).greedy(), second.sizes().get(1).greedy());
        assertTrue(Files.readString(dir.resolve(MiniReport.MARKDOWN)).contains("SFT best + dpo (greedy)"));

        // the same again: every stage is complete
        MiniRedstar.Result third = MiniRedstar.builder(dir).settings(TINY).seed(3).progress(Progress.Mode.OFF)
                .strategy(MiniRedstar.Strategy.DPO).build().run();
        assertEquals(List.of("problems", "dataset", "tokenizer", "sft-10", "sft-30", "rl"), third.skipped());
        assertEquals(second.rl(), third.rl());
    }

    @Test
    void run_otherSettingsInSameFolder_refused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("settings.json"), "{\"seed\": 99}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MiniRedstar.builder(dir).settings(TINY).progress(Progress.Mode.OFF).build().run());
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    @Test
    void run_folderLockedByAnotherRun_refused(@TempDir Path dir) throws Exception {
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(dir.resolve(".lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock held = c.lock()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MiniRedstar.builder(dir).settings(TINY).progress(Progress.Mode.OFF).build().run());
            assertTrue(e.getMessage().contains("another miniature run"), e.getMessage());
        }
    }

    @Test
    void build_descendingSizesAndRepeatedProperty_reportsBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MiniRedstar.builder(Path.of("x")).dataSizes(List.of(50, 20)).seed(1).seed(2).build());
        assertTrue(e.getMessage().contains("ascending") && e.getMessage().contains("seed was set twice"),
                e.getMessage());
    }

    @Test
    void build_moreProblemsThanLevelOneHolds_rejectedBeforeAnythingIsWritten(@TempDir Path dir) {
        MiniRedstar.Settings tooMany = new MiniRedstar.Settings(1, 1, 4000, 100, 2, List.of(10), 1, 512, 3e-3, 16, 1,
                1, 2, 2, 1e-4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MiniRedstar.builder(dir).settings(tooMany).build());
        assertTrue(e.getMessage().contains("4100 exceeds half of the 8100 distinct questions of level 1"),
                e.getMessage());
    }

    @Test
    void strategy_parse_acceptsLabelsAndNames() {
        assertEquals(MiniRedstar.Strategy.REINFORCE_PP, MiniRedstar.Strategy.parse("reinforce++"));
        assertEquals(MiniRedstar.Strategy.GRPO, MiniRedstar.Strategy.parse("GRPO"));
        assertThrows(IllegalArgumentException.class, () -> MiniRedstar.Strategy.parse("a2c"));
    }
}
