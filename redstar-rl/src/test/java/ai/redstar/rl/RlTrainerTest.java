package ai.redstar.rl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import ai.redstar.rl.loss.Variance;
import ai.redstar.rl.reward.Reward;
import ai.redstar.rl.reward.RewardFunction;
import ai.redstar.rl.rollout.Prompt;
import ai.redstar.verify.Gold;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RlTrainerTest {
    private static final String ALPHABET = "abcdefgh";

    /** Reward 1 when the response starts with 'a' (1 in 8 under a near-uniform random policy). */
    private static final RewardFunction STARTS_WITH_A =
            r -> new Reward(r.response().startsWith("a") ? 1 : 0, "first character");

    @Test
    void reinforcePlusPlus_raisesMeanReward_onLearnableToyTask(@TempDir Path dir) {
        assertLearns(dir, new ReinforcePlusPlus(0.2, 0, 1.0, 10, Variance.POPULATION, true));
    }

    @Test
    void grpo_raisesMeanReward_onLearnableToyTask(@TempDir Path dir) {
        assertLearns(dir, new Grpo(0.2, 0, true, 1e-4, Variance.UNBIASED));
    }

    @Test
    void ppo_raisesMeanReward_andValueLossFalls(@TempDir Path dir) {
        List<RlStepMetrics> m = assertLearns(dir, new Ppo(0.2, 0, 0.2, 0.5, 1.0, 0.95, 0, 0));
        double first = (m.get(0).valueLoss() + m.get(1).valueLoss()) / 2;
        int n = m.size();
        double last = (m.get(n - 1).valueLoss() + m.get(n - 2).valueLoss()) / 2;
        assertTrue(first > 0 && last < first, "value loss went from " + first + " to " + last + ": " + m);
    }

    @Test
    void build_klWithoutReference_rejected(@TempDir Path dir) {
        try (ChatTokenizer tok = tokenizer(dir); CausalLm policy = model(tok.vocabularySize())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RlTrainer.builder(policy, prompts(tok)).decoder(ids -> tok.decode(ids, true))
                            .reward(STARTS_WITH_A).strategy(Grpo.defaults()).build());
            assertTrue(e.getMessage().contains("reference"), e.getMessage());
        }
    }

    @Test
    void resume_halfwayCheckpoint_continuesExactlyAsStraightRun(@TempDir Path dir) {
        List<RlStepMetrics> straight = run(dir, dir.resolve("a"), 4, null);
        run(dir, dir.resolve("b"), 2, null);
        assertTrue(Files.isRegularFile(dir.resolve("b/checkpoint-2/trainable.safetensors")));
        List<RlStepMetrics> resumed = run(dir, dir.resolve("c"), 4, dir.resolve("b/checkpoint-2"));
        assertEquals(2, resumed.size());
        for (int i = 0; i < 2; i++) {
            RlStepMetrics a = straight.get(i + 2);
            RlStepMetrics b = resumed.get(i);
            assertEquals(a.step(), b.step());
            assertEquals(a.rewardMean(), b.rewardMean(), 1e-6, "reward of step " + a.step());
            assertEquals(a.loss(), b.loss(), 1e-6, "loss of step " + a.step());
            assertEquals(a.valueLoss(), b.valueLoss(), 1e-6, "value loss of step " + a.step());
        }
        assertTrue(Files.isDirectory(dir.resolve("a/checkpoint-4")) && Files.isDirectory(dir.resolve("a/checkpoint-2")));
    }

    @Test
    void klAgainstFrozenReference_nonZeroOnceThePolicyMoved(@TempDir Path dir) {
        for (RlStrategy st : List.of(new ReinforcePlusPlus(0.2, 0.05, 1.0, 10, ai.redstar.rl.loss.Variance.POPULATION,
                true), new Grpo(0.2, 0.05, true, 1e-6, ai.redstar.rl.loss.Variance.POPULATION))) {
            List<RlStepMetrics> m = runWith(dir, dir.resolve(st.getClass().getSimpleName()), st, 4);
            assertEquals(0, m.get(0).kl(), 1e-9, "policy equals reference at step 1: " + m);
            assertTrue(m.get(3).kl() > 1e-6, st + ": KL stayed 0 after the policy moved: " + m);
        }
    }

    @Test
    void stepMetrics_entropyWithinZeroAndLogVocab_andTimingsSplitTheStep(@TempDir Path dir) {
        try (ChatTokenizer tok = tokenizer(dir); CausalLm policy = model(tok.vocabularySize())) {
            List<RlStepMetrics> m = RlTrainer.builder(policy, prompts(tok)).decoder(ids -> tok.decode(ids, true))
                    .reward(STARTS_WITH_A).strategy(new Grpo(0.2, 0, true, 1e-4, Variance.UNBIASED)).steps(2)
                    .promptsPerStep(2).samplesPerPrompt(4).maxNewTokens(3).learningRate(1e-2).seed(3).build().fit();
            double logVocab = Math.log(tok.vocabularySize());
            for (RlStepMetrics s : m) {
                // a random tiny model is near uniform: entropy well above 0, never above log(vocab)
                assertTrue(s.entropy() > 0.1 && s.entropy() <= logVocab + 1e-4, "entropy " + s.entropy()
                        + " outside (0, log(vocab)=" + logVocab + "]: " + s);
                assertTrue(s.generationSeconds() > 0 && s.scoringSeconds() > 0 && s.trainingSeconds() > 0, s.toString());
                assertTrue(s.generationSeconds() + s.scoringSeconds() + s.trainingSeconds() <= s.seconds() + 1e-6,
                        s.toString());
            }
        }
    }

    @Test
    void adaptiveKl_klAboveTarget_raisesCoefficient(@TempDir Path dir) throws java.io.IOException {
        runWith(dir, dir.resolve("out"), new Ppo(0.2, 0, 0.2, 0.5, 1.0, 0.95, 0.05, 1e-9), 4);
        double beta = com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("out/checkpoint-4/"
                + "trainer_state.json"))).getAsJsonObject().get("kl_coef").getAsDouble();
        assertTrue(beta > 0.05, "β should move up toward a tiny KL target, is " + beta);
    }

    private static List<RlStepMetrics> runWith(Path dir, Path out, RlStrategy strategy, long steps) {
        try (ChatTokenizer tok = tokenizer(dir); CausalLm policy = model(tok.vocabularySize());
                CausalLm reference = model(tok.vocabularySize())) {
            return RlTrainer.builder(policy, prompts(tok)).decoder(ids -> tok.decode(ids, true))
                    .reward(STARTS_WITH_A).strategy(strategy).reference(reference).steps(steps).promptsPerStep(3)
                    .samplesPerPrompt(4).maxNewTokens(2).learningRate(1e-2).seed(5).outputDir(out).build().fit();
        }
    }

    private static List<RlStepMetrics> run(Path dir, Path out, long steps, Path resume) {
        try (ChatTokenizer tok = tokenizer(dir); CausalLm policy = model(tok.vocabularySize());
                CausalLm reference = model(tok.vocabularySize())) {
            // PPO with a value head, a frozen reference and the adaptive KL controller: all of its state resumes
            RlTrainer.Builder b = RlTrainer.builder(policy, prompts(tok)).decoder(ids -> tok.decode(ids, true))
                    .reward(STARTS_WITH_A).strategy(new Ppo(0.2, 0, 0.2, 0.5, 1.0, 0.95, 0.05, 0.001))
                    .reference(reference).steps(steps).promptsPerStep(3)
                    .samplesPerPrompt(4).maxNewTokens(2).schedule(new ai.redstar.train.optim.LrSchedule(3e-3, 3e-4, 2, 8)).epochs(1).miniBatches(2).seed(11)
                    .outputDir(out).checkpointEvery(2).keepCheckpoints(2);
            return (resume == null ? b : b.resumeFrom(resume)).build().fit();
        }
    }

    private static List<RlStepMetrics> assertLearns(Path dir, RlStrategy strategy) {
        try (ChatTokenizer tok = tokenizer(dir); CausalLm policy = model(tok.vocabularySize())) {
            Path metrics = dir.resolve("metrics.jsonl");
            List<RlStepMetrics> m = RlTrainer.builder(policy, prompts(tok)).decoder(ids -> tok.decode(ids, true))
                    .reward(STARTS_WITH_A).strategy(strategy).steps(16).promptsPerStep(4).samplesPerPrompt(8)
                    .maxNewTokens(2).learningRate(3e-3).maxGradientNorm(1.0).epochs(2).miniBatches(2).seed(7)
                    .metricsFile(metrics).build().fit();
            double first = (m.get(0).rewardMean() + m.get(1).rewardMean() + m.get(2).rewardMean()) / 3;
            int n = m.size();
            double last = (m.get(n - 1).rewardMean() + m.get(n - 2).rewardMean() + m.get(n - 3).rewardMean()) / 3;
            assertTrue(last > first + 0.3, "reward went from " + first + " to " + last + ": " + m);
            List<String> lines = Files.readAllLines(metrics);
            assertTrue(lines.size() == 16);
            // every rollout's reward reason is logged: 4 prompts x 8 samples per step, all with the reward's reason
            com.google.gson.JsonObject reasons = com.google.gson.JsonParser.parseString(lines.get(0)).getAsJsonObject()
                    .getAsJsonObject("reward_reasons");
            assertEquals(32, reasons.get("first character").getAsInt(), lines.get(0));
            return m;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ChatTokenizer tokenizer(Path dir) {
        TokenizerFiles.writeCharLevel(dir.resolve("tok"), ALPHABET, List.of());
        return ChatTokenizer.load(dir.resolve("tok"));
    }

    private static CausalLm model(int vocab) {
        return CausalLm.randomInit(ModelConfig.builder(ModelType.QWEN2).vocabSize(vocab).hiddenSize(32)
                .intermediateSize(64).numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2)
                .tieWordEmbeddings(true).build(), 11, Device.cpu());
    }

    private static List<Prompt> prompts(ChatTokenizer tok) {
        List<Prompt> out = new ArrayList<>();
        for (String p : List.of("bc", "de", "fg", "hb")) {
            out.add(new Prompt(tok.encode(p), new Gold.Choice("A", Optional.empty())));
        }
        return out;
    }
}
