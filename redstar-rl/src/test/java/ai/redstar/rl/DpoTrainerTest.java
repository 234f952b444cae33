package ai.redstar.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import ai.redstar.rl.dpo.PreferencePair;
import ai.redstar.rl.dpo.PreferencePairs;
import ai.redstar.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DpoTrainerTest {

    @Test
    void fit_widensChosenOverRejectedMargin(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("pairs.jsonl");
        Files.writeString(data, String.join("\n",
                "{\"prompt\": \"ab\", \"chosen\": \"cc\", \"rejected\": \"dd\"}",
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"ba\"}], \"chosen\": \"ce\", \"rejected\": \"df\"}",
                "{\"prompt\": \"gh\", \"chosen\": [{\"role\": \"assistant\", \"content\": \"cg\"}], \"rejected\": \"dh\"}",
                "{\"prompt\": \"hg\", \"chosen\": \"ca\", \"rejected\": \"db\"}") + "\n");
        try (ChatTokenizer tok = tokenizer(dir); CausalLm policy = model(tok.vocabularySize())) {
            List<PreferencePair> pairs = PreferencePairs.fromJsonl(data, tok);
            assertEquals(4, pairs.size());
            Path metrics = dir.resolve("metrics.jsonl");
            List<DpoStepMetrics> m = DpoTrainer.builder(policy, pairs).strategy(new Dpo(0.5, Dpo.Loss.SIGMOID, 0,
                    Dpo.Reference.CACHED)).steps(15).pairsPerStep(4).learningRate(1e-2).seed(3)
                    .metricsFile(metrics).build().fit();
            assertEquals(0, m.get(0).rewardMargin(), 1e-4, "the first step's policy is the cached reference");
            DpoStepMetrics last = m.get(m.size() - 1);
            assertTrue(last.rewardMargin() > 1.0, "margin only reached " + last.rewardMargin() + ": " + m);
            assertEquals(1.0, last.accuracy(), 1e-9);
            assertTrue(last.loss() < m.get(0).loss(), m.toString());
            assertEquals(15, Files.readAllLines(metrics).size());
        }
    }

    @Test
    void resume_matchesStraightRun(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("pairs.jsonl");
        Files.writeString(data, String.join("\n",
                "{\"prompt\": \"ab\", \"chosen\": \"cc\", \"rejected\": \"dd\"}",
                "{\"prompt\": \"ba\", \"chosen\": \"ce\", \"rejected\": \"df\"}",
                "{\"prompt\": \"gh\", \"chosen\": \"cg\", \"rejected\": \"dh\"}") + "\n");
        Dpo dpo = new Dpo(0.5, Dpo.Loss.SIGMOID, 0, Dpo.Reference.CACHED);
        LrSchedule schedule = new LrSchedule(1e-2, 1e-3, 1, 4);
        try (ChatTokenizer tok = tokenizer(dir)) {
            List<PreferencePair> pairs = PreferencePairs.fromJsonl(data, tok);
            List<DpoStepMetrics> straight;
            try (CausalLm policy = model(tok.vocabularySize())) {
                straight = DpoTrainer.builder(policy, pairs).strategy(dpo).steps(4).pairsPerStep(2).seed(5)
                        .schedule(schedule).build().fit();
            }
            Path out = dir.resolve("run");
            List<DpoStepMetrics> resumed = new java.util.ArrayList<>();
            try (CausalLm policy = model(tok.vocabularySize())) {
                DpoTrainer.builder(policy, pairs).strategy(dpo).steps(4).pairsPerStep(2).seed(5).schedule(schedule)
                        .outputDir(out).checkpointEvery(2).onStep(m -> {
                            if (m.step() == 3) {
                                throw new IllegalStateException("stop");
                            }
                            resumed.add(m);
                        }).build().fit();
            } catch (IllegalStateException e) {
                assertEquals("stop", e.getMessage());
            }
            assertEquals(2, resumed.size());
            Path ckpt = out.resolve("checkpoint-2");
            assertTrue(Files.isDirectory(ckpt), "no checkpoint-2 in " + out);
            try (CausalLm policy = model(tok.vocabularySize())) {
                // a fresh policy: the resumed run must take the saved parameters and cached reference log-probs
                resumed.addAll(DpoTrainer.builder(policy, pairs).strategy(dpo).steps(4).pairsPerStep(2).seed(5)
                        .schedule(schedule).resumeFrom(ckpt).build().fit());
            }
            assertEquals(4, resumed.size());
            for (int i = 0; i < 4; i++) {
                assertEquals(straight.get(i).step(), resumed.get(i).step());
                assertEquals(straight.get(i).loss(), resumed.get(i).loss(), 1e-6, "loss of step " + (i + 1));
                assertEquals(straight.get(i).rewardMargin(), resumed.get(i).rewardMargin(), 1e-6,
                        "margin of step " + (i + 1));
            }
        }
    }

    @Test
    void fromJsonl_missingRejected_namesLineAndField(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("pairs.jsonl");
        Files.writeString(data, "{\"prompt\": \"ab\", \"chosen\": \"cc\", \"rejected\": \"dd\"}\n"
                + "{\"prompt\": \"ab\", \"chosen\": \"cc\"}\n");
        try (ChatTokenizer tok = tokenizer(dir)) {
            JsonlException e = assertThrows(JsonlException.class, () -> PreferencePairs.fromJsonl(data, tok));
            assertTrue(e.getMessage().contains("2") && e.getMessage().contains("rejected"), e.getMessage());
        }
    }

    @Test
    void build_liveWithoutReference_rejected(@TempDir Path dir) {
        try (ChatTokenizer tok = tokenizer(dir); CausalLm policy = model(tok.vocabularySize())) {
            List<PreferencePair> pairs = List.of(new PreferencePair(new int[] {1}, new int[] {2}, new int[] {3}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DpoTrainer.builder(policy, pairs)
                            .strategy(new Dpo(0.1, Dpo.Loss.SIGMOID, 0, Dpo.Reference.LIVE)).build());
            assertTrue(e.getMessage().contains("reference"), e.getMessage());
        }
    }

    private static ChatTokenizer tokenizer(Path dir) {
        TokenizerFiles.writeCharLevel(dir.resolve("tok"), "abcdefgh", List.of());
        return ChatTokenizer.load(dir.resolve("tok"));
    }

    private static CausalLm model(int vocab) {
        return CausalLm.randomInit(ModelConfig.builder(ModelType.QWEN2).vocabSize(vocab).hiddenSize(32)
                .intermediateSize(64).numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2)
                .tieWordEmbeddings(true).build(), 11, Device.cpu());
    }
}
