package ai.redstar.examples.bench;

import ai.djl.Device;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import ai.redstar.rl.Dpo;
import ai.redstar.rl.DpoStepMetrics;
import ai.redstar.rl.DpoTrainer;
import ai.redstar.rl.Grpo;
import ai.redstar.rl.Ppo;
import ai.redstar.rl.ReinforcePlusPlus;
import ai.redstar.rl.RlStepMetrics;
import ai.redstar.rl.RlStrategy;
import ai.redstar.rl.RlTrainer;
import ai.redstar.rl.dpo.PreferencePair;
import ai.redstar.rl.reward.Reward;
import ai.redstar.rl.rollout.Prompt;
import ai.redstar.verify.Gold;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar bench rl}: seconds per RL step of {@link RlTrainer} (REINFORCE++, GRPO, PPO), split into generation,
 * scoring (rewards plus the no-gradient old/reference log-prob passes) and training, and the tokens/s of the step
 * (prompt plus response tokens of all rollouts over the step's wall time); and seconds per {@link DpoTrainer} step
 * with its tokens/s. Random weights, a char-level tokenizer, the "small" configuration of {@code bench core} with the
 * tokenizer's vocabulary ({@code --tiny}: the tiny one). The reward is a constant-time string check, so scoring is
 * dominated by the log-prob passes. One JSON line per strategy ({@code rl_step}), medians over the timed steps.
 */
@Command(name = "rl", mixinStandardHelpOptions = true,
        description = "RL step seconds (generation/scoring/training) and tokens/s per strategy, and DPO (one JSON line each).")
public final class RlBench implements Callable<Integer> {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 +-*/=.";

    @Option(names = "--steps", defaultValue = "2", description = "Timed RL steps per strategy (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--prompts", defaultValue = "2", description = "Prompts per step (default ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--samples", defaultValue = "4", description = "Samples per prompt (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--new-tokens", defaultValue = "32", description = "Max new tokens (default ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--tiny", description = "Use the tiny configuration instead of the small one (for tests).")
    boolean tiny;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights and sampling (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("redstar-bench-rl");
        TokenizerFiles.writeCharLevel(dir.resolve("tok"), ALPHABET, List.of());
        try (ChatTokenizer tok = ChatTokenizer.load(dir.resolve("tok"))) {
            ModelConfig config = (tiny ? CoreBench.tinyConfig() : CoreBench.smallConfig()).toBuilder()
                    .vocabSize(tok.vocabularySize()).build();
            List<Prompt> pool = new ArrayList<>();
            for (String p : List.of("12+7=", "3*4=", "9-5=", "8/2=")) {
                pool.add(new Prompt(tok.encode(p), new Gold.Choice("A", Optional.empty())));
            }
            List<RlStrategy> strategies = List.of(new ReinforcePlusPlus(0.2, 0, 1.0, 10,
                    ai.redstar.rl.loss.Variance.POPULATION, true), new Grpo(0.2, 0, true, 1e-4,
                    ai.redstar.rl.loss.Variance.UNBIASED), new Ppo(0.2, 0, 0.2, 0.5, 1.0, 0.95, 0, 0));
            for (RlStrategy st : strategies) {
                rl(config, tok, pool, st);
            }
            dpo(config, tok);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    private void rl(ModelConfig config, ChatTokenizer tok, List<Prompt> pool, RlStrategy strategy) {
        List<RlStepMetrics> m;
        try (CausalLm policy = CausalLm.randomInit(config, seed, Device.cpu())) {
            m = RlTrainer.builder(policy, pool).decoder(ids -> tok.decode(ids, true))
                    .reward(r -> new Reward(r.response().startsWith("1") ? 1 : 0, "first character"))
                    .strategy(strategy).steps(steps).promptsPerStep(prompts).samplesPerPrompt(samples)
                    .maxNewTokens(newTokens).learningRate(1e-5).epochs(1).miniBatches(1).seed(seed).build().fit();
        }
        double promptSum = 0;
        for (int i = 0; i < prompts; i++) {
            promptSum += pool.get(i % pool.size()).tokenIds().length;
        }
        double promptTokens = promptSum;
        double rows = (double) prompts * samples;
        JsonObject o = BenchFigures.figure("rl_step");
        o.addProperty("strategy", strategy.getClass().getSimpleName());
        o.addProperty("seconds", BenchFigures.round(median(m, RlStepMetrics::seconds)));
        o.addProperty("generation_seconds", BenchFigures.round(median(m, RlStepMetrics::generationSeconds)));
        o.addProperty("scoring_seconds", BenchFigures.round(median(m, RlStepMetrics::scoringSeconds)));
        o.addProperty("training_seconds", BenchFigures.round(median(m, RlStepMetrics::trainingSeconds)));
        o.addProperty("tokens_per_s", BenchFigures.round(median(m,
                s -> (promptTokens * samples + s.responseLengthMean() * rows) / s.seconds())));
        o.addProperty("response_tokens_per_s_generation", BenchFigures.round(median(m,
                s -> s.responseLengthMean() * rows / s.generationSeconds())));
        o.addProperty("response_length_mean", BenchFigures.round(median(m, RlStepMetrics::responseLengthMean)));
        o.addProperty("entropy", BenchFigures.round(median(m, RlStepMetrics::entropy)));
        addShape(o, config);
        BenchFigures.print(o);
    }

    private void dpo(ModelConfig config, ChatTokenizer tok) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PreferencePair> pairs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pairs.add(new PreferencePair(randomIds(random, 8, tok), randomIds(random, newTokens, tok),
                    randomIds(random, newTokens, tok)));
        }
        int pairsPerStep = prompts * samples / 2;
        List<DpoStepMetrics> m;
        try (CausalLm policy = CausalLm.randomInit(config, seed, Device.cpu());
                CausalLm reference = CausalLm.randomInit(config, seed, Device.cpu())) {
            m = DpoTrainer.builder(policy, pairs).reference(reference).strategy(Dpo.defaults()).steps(steps)
                    .pairsPerStep(pairsPerStep).learningRate(1e-6).seed(seed).build().fit();
        }
        double tokens = pairsPerStep * 2.0 * (8 + newTokens);
        JsonObject o = BenchFigures.figure("rl_step");
        o.addProperty("strategy", "Dpo");
        o.addProperty("seconds", BenchFigures.round(medianDpo(m)));
        o.addProperty("tokens_per_s", BenchFigures.round(tokens / medianDpo(m)));
        o.addProperty("pairs_per_step", pairsPerStep);
        o.addProperty("note", "DPO has no generation or scoring; its step is the policy and reference forward passes"
                + " of chosen and rejected, the backward and AdamW");
        addShape(o, config);
        BenchFigures.print(o);
    }

    private void addShape(JsonObject o, ModelConfig config) {
        o.addProperty("steps", steps);
        o.addProperty("prompts", prompts);
        o.addProperty("samples", samples);
        o.addProperty("max_new_tokens", newTokens);
        o.addProperty("config", tiny ? "tiny" : "small");
        o.addProperty("parameters", config.parameterCount());
    }

    private static int[] randomIds(SplittableRandom random, int n, ChatTokenizer tok) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = tok.encode(String.valueOf(ALPHABET.charAt(random.nextInt(ALPHABET.length()))))[0];
        }
        return out;
    }

    private static double median(List<RlStepMetrics> m, java.util.function.ToDoubleFunction<RlStepMetrics> f) {
        return BenchFigures.median(m.stream().mapToDouble(f).sorted().toArray());
    }

    private static double medianDpo(List<DpoStepMetrics> m) {
        return BenchFigures.median(m.stream().mapToDouble(DpoStepMetrics::seconds).sorted().toArray());
    }
}
