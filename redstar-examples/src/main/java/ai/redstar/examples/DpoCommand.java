package ai.redstar.examples;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.rl.Dpo;
import ai.redstar.rl.DpoStepMetrics;
import ai.redstar.rl.DpoTrainer;
import ai.redstar.rl.dpo.PreferencePairs;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar dpo}: DPO of a model folder on TRL preference pairs through {@link DpoTrainer}; the trained model
 * (with the tokenizer files) is saved to {@code --output}/model and the metrics to {@code --output}/metrics.jsonl
 * (appended on resume). The reference is the starting model, scored once before the first step, unless
 * {@code --reference} names another folder; {@code --reference-mode LIVE} scores each step's pairs with it again.
 * Checkpoints ({@code checkpoint-STEP}, every {@code --save-every} steps and at the last) go to {@code --output}, and
 * {@code --resume latest} (or a checkpoint folder) continues a run with the same settings up to {@code --steps}.
 */
@Command(name = "dpo", mixinStandardHelpOptions = true,
        description = "Direct preference optimisation on JSONL pairs {\"prompt\", \"chosen\", \"rejected\"}.")
public final class DpoCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Preference pairs JSONL.")
    Path data;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where model/ and metrics go.")
    Path output;

    @Option(names = "--steps", defaultValue = "100", description = "Optimiser steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--pairs-per-step", defaultValue = "8", description = "Pairs per step (default ${DEFAULT-VALUE}).")
    int pairsPerStep;

    @Option(names = "--lr", defaultValue = "5e-7", description = "Learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--beta", defaultValue = "0.1", description = "DPO beta (default ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--loss", defaultValue = "SIGMOID", description = "${COMPLETION-CANDIDATES} (default SIGMOID).")
    Dpo.Loss loss;

    @Option(names = "--label-smoothing", defaultValue = "0", description = "cDPO label smoothing (default 0).")
    double labelSmoothing;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the pair order (default 0).")
    long seed;

    @Option(names = "--reference", paramLabel = "DIR",
            description = "Reference model folder (default: the starting model, --model, scored once).")
    Path reference;

    @Option(names = "--reference-mode", defaultValue = "CACHED",
            description = "CACHED: reference log-probs computed once before training; LIVE: recomputed every step "
                    + "(needs --reference). Default ${DEFAULT-VALUE}.")
    Dpo.Reference referenceMode;

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
        if (referenceMode == Dpo.Reference.LIVE && reference == null) {
            err.println("redstar dpo: --reference-mode LIVE scores every step with a separate reference model; "
                    + "give --reference DIR (or use CACHED, which scores the starting model once)");
            return 2;
        }
        Optional<Path> checkpoint = RlCommand.resumeCheckpoint(resume, output, err, "dpo");
        if (resume != null && checkpoint.isEmpty()) {
            return 2;
        }
        Device onDevice = device == null ? Engine.getInstance().defaultDevice() : Device.fromName(device);
        Files.createDirectories(output);
        try (ChatTokenizer tokenizer = ChatTokenizer.load(model); CausalLm lm = CausalLm.load(model, onDevice);
                CausalLm ref = reference == null ? null : CausalLm.load(reference, onDevice)) {
            DpoTrainer.Builder b = DpoTrainer.builder(lm, PreferencePairs.fromJsonl(data, tokenizer))
                    .strategy(new Dpo(beta, loss, labelSmoothing, referenceMode)).steps(steps)
                    .pairsPerStep(pairsPerStep).learningRate(learningRate).seed(seed)
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
            DpoTrainer trainer;
            try {
                trainer = b.build();
            } catch (IllegalArgumentException invalid) {
                err.println("redstar dpo: " + invalid.getMessage());
                return 2;
            }
            List<DpoStepMetrics> m = trainer.fit();
            if (m.isEmpty()) {
                out.printf(Locale.ROOT, "dpo: %s already reached step %d; nothing to train%n",
                        checkpoint.map(Path::toString).orElse(output.toString()), steps);
                return 0;
            }
            Path saved = output.resolve("model");
            lm.save(saved, TensorDtype.F32);
            SftCommand.copyTokenizerFiles(model, saved);
            DpoStepMetrics last = m.get(m.size() - 1);
            out.printf(Locale.ROOT, "dpo: %d steps, last reward margin %.4f, accuracy %.3f; model saved to %s%n",
                    m.size(), last.rewardMargin(), last.accuracy(), saved);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return 0;
    }
}
