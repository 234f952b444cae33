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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar dpo}: DPO of a model folder on TRL preference pairs through {@link DpoTrainer}; the trained model
 * (with the tokenizer files) is saved to {@code --output}/model and the metrics to {@code --output}/metrics.jsonl.
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

    @Option(names = "--device", description = "cpu or gpu (default: the engine's default device).")
    String device;

    PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        Device onDevice = device == null ? Engine.getInstance().defaultDevice() : Device.fromName(device);
        Files.createDirectories(output);
        try (ChatTokenizer tokenizer = ChatTokenizer.load(model); CausalLm lm = CausalLm.load(model, onDevice)) {
            List<DpoStepMetrics> m = DpoTrainer.builder(lm, PreferencePairs.fromJsonl(data, tokenizer))
                    .strategy(new Dpo(beta, loss, labelSmoothing, Dpo.Reference.CACHED)).steps(steps)
                    .pairsPerStep(pairsPerStep).learningRate(learningRate).seed(seed)
                    .metricsFile(output.resolve("metrics.jsonl")).build().fit();
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
