package ai.redstar.examples;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlReader;
import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.rl.Grpo;
import ai.redstar.rl.Ppo;
import ai.redstar.rl.ReinforcePlusPlus;
import ai.redstar.rl.RlStepMetrics;
import ai.redstar.rl.RlStrategy;
import ai.redstar.rl.RlTrainer;
import ai.redstar.rl.reward.RewardFunction;
import ai.redstar.rl.rollout.Prompt;
import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar rl}: online RL of a model folder on math problems ({@code {"question", "answer"}} JSONL) through
 * {@link RlTrainer}, rewarded by {@link RuleVerifier} correctness; the strategies' defaults apply with the KL term off
 * (no reference model is loaded). The trained model goes to {@code --output}/model, metrics to
 * {@code --output}/metrics.jsonl.
 */
@Command(name = "rl", mixinStandardHelpOptions = true,
        description = "RL (REINFORCE++, GRPO or PPO) on JSONL problems {\"question\", \"answer\"}, graded by rules.")
public final class RlCommand implements Callable<Integer> {
    /** The strategies this command runs. */
    enum Strategy { REINFORCE, GRPO, PPO }

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder.")
    Path model;

    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "Problems JSONL.")
    Path prompts;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where model/ and metrics go.")
    Path output;

    @Option(names = "--strategy", defaultValue = "GRPO", description = "${COMPLETION-CANDIDATES} (default GRPO).")
    Strategy strategy;

    @Option(names = "--steps", defaultValue = "100", description = "Steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--prompts-per-step", defaultValue = "8", description = "Default ${DEFAULT-VALUE}.")
    int promptsPerStep;

    @Option(names = "--samples", defaultValue = "4", description = "Samples per prompt (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Default ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--lr", defaultValue = "1e-6", description = "Learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Default ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--seed", defaultValue = "0", description = "Default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--device", description = "cpu or gpu (default: the engine's default device).")
    String device;

    PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        Device onDevice = device == null ? Engine.getInstance().defaultDevice() : Device.fromName(device);
        Files.createDirectories(output);
        RlStrategy chosen = switch (strategy) {
            case REINFORCE -> {
                ReinforcePlusPlus d = ReinforcePlusPlus.defaults();
                yield new ReinforcePlusPlus(d.clip(), 0, d.gamma(), d.scoreClip(), d.variance(), d.groupBaseline());
            }
            case GRPO -> {
                Grpo d = Grpo.defaults();
                yield new Grpo(d.clip(), 0, d.scaleByStd(), d.epsilon(), d.variance());
            }
            case PPO -> {
                Ppo d = Ppo.defaults();
                yield new Ppo(d.clip(), d.dualClip(), d.valueClip(), d.valueCoef(), d.gamma(), d.lambda(), 0, 0);
            }
        };
        RuleVerifier verifier = RuleVerifier.builder().build();
        try (ChatTokenizer tokenizer = ChatTokenizer.load(model); CausalLm lm = CausalLm.load(model, onDevice)) {
            List<Prompt> problems = read(tokenizer);
            List<RlStepMetrics> m = RlTrainer.builder(lm, problems).decoder(ids -> tokenizer.decode(ids, true))
                    .reward(RewardFunction.correctness(verifier)).strategy(chosen).steps(steps)
                    .promptsPerStep(promptsPerStep).samplesPerPrompt(samples).maxNewTokens(maxNewTokens)
                    .learningRate(learningRate).temperature(temperature).seed(seed)
                    .metricsFile(output.resolve("metrics.jsonl")).build().fit();
            Path saved = output.resolve("model");
            lm.save(saved, TensorDtype.F32);
            SftCommand.copyTokenizerFiles(model, saved);
            RlStepMetrics last = m.get(m.size() - 1);
            out.printf(Locale.ROOT, "rl %s: %d steps, last reward %.4f; model saved to %s%n",
                    strategy.name().toLowerCase(Locale.ROOT), m.size(), last.rewardMean(), saved);
        }
        return 0;
    }

    private List<Prompt> read(ChatTokenizer tokenizer) {
        List<Prompt> out = new ArrayList<>();
        try (JsonlReader reader = Jsonl.reader(prompts)) {
            while (reader.hasNext()) {
                JsonlRecord r = reader.next();
                String question = r.nonEmptyString("question");
                String answer = r.nonEmptyString("answer");
                List<ChatMessage> messages = List.of(ChatMessage.user(question));
                int[] ids = tokenizer.chatTemplate().isPresent() ? tokenizer.encodeChat(messages, true).ids()
                        : tokenizer.encode(question);
                out.add(new Prompt(ids, Gold.math(answer)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(prompts + " holds no problem; expected one {\"question\": ..., "
                    + "\"answer\": ...} per line");
        }
        return out;
    }
}
