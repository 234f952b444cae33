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
import ai.redstar.train.CheckpointStore;
import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar rl}: online RL of a model folder on math problems ({@code {"question", "answer"}} JSONL) through
 * {@link RlTrainer}, rewarded by {@link RuleVerifier} correctness; the strategies' defaults apply except the KL
 * coefficient, {@code --kl-coef} (default 0: no KL term, no reference model loaded). With a KL term the reference is
 * {@code --reference}, or else the starting model ({@code --model}) loaded a second time. Checkpoints
 * ({@code checkpoint-STEP}, every {@code --save-every} steps and at the last) go to {@code --output}, and
 * {@code --resume latest} (or a checkpoint folder) continues a run with the same settings up to {@code --steps}. The
 * trained model goes to {@code --output}/model, metrics to {@code --output}/metrics.jsonl (appended on resume).
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

    @Option(names = "--kl-coef", defaultValue = "0",
            description = "KL coefficient against the reference; 0 turns the KL term off (default ${DEFAULT-VALUE}; "
                    + "the papers use 0.01 for REINFORCE++ and PPO, 0.04 for GRPO).")
    double klCoef;

    @Option(names = "--reference", paramLabel = "DIR",
            description = "Reference model folder of the KL term (default: the starting model, --model).")
    Path reference;

    @Option(names = "--save-every", paramLabel = "STEPS",
            description = "Steps between checkpoints in --output (default: only at the last step).")
    Long saveEvery;

    @Option(names = "--keep", description = "Checkpoints kept, the newest (default 2).")
    Integer keep;

    @Option(names = "--resume", paramLabel = "DIR|latest",
            description = "Continue from a checkpoint folder, or from the newest in --output with 'latest'.")
    String resume;

    @Option(names = "--device", description = "cpu or gpu (default: the engine's default device).")
    String device;

    PrintStream out = System.out;
    PrintStream err = System.err;

    /** Exit status 2 with the message on standard error when an option is invalid. */
    @Override
    public Integer call() throws IOException {
        if (!(klCoef >= 0 && Double.isFinite(klCoef))) {
            err.println("redstar rl: --kl-coef must be a finite number >= 0, was " + klCoef);
            return 2;
        }
        if (reference != null && klCoef == 0) {
            err.println("redstar rl: --reference is only read by the KL term; set --kl-coef > 0 or drop --reference");
            return 2;
        }
        Optional<Path> checkpoint = resumeCheckpoint(resume, output, err, "rl");
        if (resume != null && checkpoint.isEmpty()) {
            return 2;
        }
        Device onDevice = device == null ? Engine.getInstance().defaultDevice() : Device.fromName(device);
        Files.createDirectories(output);
        RlStrategy chosen = switch (strategy) {
            case REINFORCE -> {
                ReinforcePlusPlus d = ReinforcePlusPlus.defaults();
                yield new ReinforcePlusPlus(d.clip(), klCoef, d.gamma(), d.scoreClip(), d.variance(),
                        d.groupBaseline());
            }
            case GRPO -> {
                Grpo d = Grpo.defaults();
                yield new Grpo(d.clip(), klCoef, d.scaleByStd(), d.epsilon(), d.variance());
            }
            case PPO -> {
                Ppo d = Ppo.defaults();
                yield new Ppo(d.clip(), d.dualClip(), d.valueClip(), d.valueCoef(), d.gamma(), d.lambda(), klCoef, 0);
            }
        };
        RuleVerifier verifier = RuleVerifier.builder().build();
        try (ChatTokenizer tokenizer = ChatTokenizer.load(model); CausalLm lm = CausalLm.load(model, onDevice);
                CausalLm ref = klCoef > 0 ? CausalLm.load(reference == null ? model : reference, onDevice) : null) {
            List<Prompt> problems = read(tokenizer);
            RlTrainer.Builder b = RlTrainer.builder(lm, problems).decoder(ids -> tokenizer.decode(ids, true))
                    .reward(RewardFunction.correctness(verifier)).strategy(chosen).steps(steps)
                    .promptsPerStep(promptsPerStep).samplesPerPrompt(samples).maxNewTokens(maxNewTokens)
                    .learningRate(learningRate).temperature(temperature).seed(seed)
                    .metricsFile(output.resolve("metrics.jsonl")).outputDir(output);
            if (ref != null) {
                b.reference(ref);
            }
            if (saveEvery != null) {
                b.checkpointEvery(saveEvery);
            }
            if (keep != null) {
                b.keepCheckpoints(keep);
            }
            checkpoint.ifPresent(b::resumeFrom);
            RlTrainer trainer;
            try {
                trainer = b.build();
            } catch (IllegalArgumentException invalid) {
                err.println("redstar rl: " + invalid.getMessage());
                return 2;
            }
            List<RlStepMetrics> m = trainer.fit();
            if (m.isEmpty()) {
                out.printf(Locale.ROOT, "rl: %s already reached step %d; nothing to train%n",
                        checkpoint.map(Path::toString).orElse(output.toString()), steps);
                return 0;
            }
            Path saved = output.resolve("model");
            lm.save(saved, TensorDtype.F32);
            SftCommand.copyTokenizerFiles(model, saved);
            RlStepMetrics last = m.get(m.size() - 1);
            out.printf(Locale.ROOT, "rl %s: %d steps, last reward %.4f; model saved to %s%n",
                    strategy.name().toLowerCase(Locale.ROOT), m.size(), last.rewardMean(), saved);
        }
        return 0;
    }

    /**
     * The checkpoint named by {@code --resume}: "latest" is the newest complete one in {@code output}. Empty, with the
     * reason printed, when there is none.
     */
    static Optional<Path> resumeCheckpoint(String resume, Path output, PrintStream err, String command) {
        if (resume == null) {
            return Optional.empty();
        }
        if (resume.equals("latest")) {
            Optional<Path> latest = CheckpointStore.latest(output);
            if (latest.isEmpty()) {
                err.println("redstar " + command + ": --resume latest: " + output + " holds no checkpoint");
            }
            return latest;
        }
        Path folder = Path.of(resume);
        if (!Files.isRegularFile(folder.resolve(CheckpointStore.STATE_FILE))) {
            err.println("redstar " + command + ": --resume " + resume + " is not a checkpoint folder (no "
                    + CheckpointStore.STATE_FILE + "); give a checkpoint-STEP folder or 'latest'");
            return Optional.empty();
        }
        return Optional.of(folder);
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
