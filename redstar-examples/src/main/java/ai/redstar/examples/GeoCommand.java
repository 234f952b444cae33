package ai.redstar.examples;

import ai.redstar.core.progress.Progress;
import ai.redstar.data.geo.GeoKind;
import ai.redstar.data.geo.TraceStyle;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar geo}: the RedStar-Geo experiment end to end through {@link GeoExperiment}: generates geometry
 * problems, writes the TRL vision dataset (JSONL and PNGs), trains a tiny vision-language model from scratch (or
 * fine-tunes a llava-hf folder given with {@code --model}), answers held-out figures greedily and prints the accuracy
 * by level, graded by RuleVerifier. Also runnable on its own ({@link #main}) as the example program.
 */
@Command(name = "geo", mixinStandardHelpOptions = true,
        description = "Generate the geometry task, train a vision-language model on it, print held-out accuracy by level.")
public final class GeoCommand implements Callable<Integer> {
    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Where the dataset (data/), tokenizer and checkpoints go.")
    Path output;

    @Option(names = "--levels", split = ",", defaultValue = "1", description = "Levels 1 to 3 (default ${DEFAULT-VALUE}).")
    int[] levels;

    @Option(names = "--kinds", split = ",", paramLabel = "KIND",
            description = "Only these problem kinds, e.g. POINT_IN_CIRCLE (default: every kind of the levels).")
    GeoKind[] kinds;

    @Option(names = "--train", defaultValue = "2000", description = "Training problems (default ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--eval", defaultValue = "200", description = "Held-out problems (default ${DEFAULT-VALUE}).")
    int eval;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of task, weights and order (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--image-size", defaultValue = "32", description = "Image side in pixels (default ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--hidden", defaultValue = "64", description = "Width of a model from scratch (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "2", description = "Layers of a model from scratch (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--epochs", description = "Passes over the training data (default 8).")
    Integer epochs;

    @Option(names = "--max-steps", description = "Optimiser steps instead of epochs.")
    Long maxSteps;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--max-length", defaultValue = "256", description = "Longest record in tokens (default ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--batch-tokens", defaultValue = "512", description = "Tokens per step (default ${DEFAULT-VALUE}).")
    int batchTokens;

    @Option(names = "--trace", defaultValue = "ANSWER_ONLY",
            description = "Teacher traces: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    TraceStyle trace;

    @Option(names = "--max-new-tokens", defaultValue = "40", description = "Longest answer (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--model", paramLabel = "DIR", description = "Fine-tune this llava-hf folder instead of a model from scratch.")
    Path model;

    @Option(names = "--freeze-encoder", description = "Freeze the vision encoder.")
    boolean freezeEncoder;

    @Option(names = "--progress", description = "Progress display: ${COMPLETION-CANDIDATES} (default AUTO).")
    Progress.Mode progress;

    PrintStream out = System.out;

    /** The example program: {@code java ai.redstar.examples.GeoCommand --output runs/geo}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new GeoCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() {
        GeoExperiment.Builder b = GeoExperiment.builder(output).levels(levels).trainCount(train).evalCount(eval)
                .seed(seed).imageSize(imageSize).hiddenSize(hidden).layers(layers).learningRate(learningRate)
                .maxLength(maxLength).batchTokens(batchTokens).traceStyle(trace).maxNewTokens(maxNewTokens)
                .freezeEncoder(freezeEncoder).log(out::println);
        if (epochs != null) {
            b.epochs(epochs);
        }
        if (maxSteps != null) {
            b.maxSteps(maxSteps);
        }
        if (kinds != null) {
            b.kinds(kinds);
        }
        if (model != null) {
            b.model(model);
        }
        if (progress != null) {
            b.progress(progress);
        }
        GeoExperiment.Result r = b.build().run();
        out.print(r.table());
        out.printf(Locale.ROOT, "chance level 0.250; held-out evaluation took %.1f s%n",
                r.evaluation().toMillis() / 1000.0);
        out.println("dataset: " + r.dataset());
        out.println("checkpoint: " + r.checkpoint());
        return 0;
    }
}
