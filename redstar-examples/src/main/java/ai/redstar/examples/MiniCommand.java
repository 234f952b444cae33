package ai.redstar.examples;

import ai.redstar.core.progress.Progress;
import ai.redstar.examples.mini.MiniRedstar;
import ai.redstar.examples.mini.MiniReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar mini}: the miniature RedStar end to end ({@link MiniRedstar}) — problems, long chain-of-thought
 * dataset, task tokenizer, data-scaling study of a tiny Qwen2 trained from scratch, RL on the best SFT model,
 * held-out evaluation with pass@k and maj@k, and a report. Exits 1 when the direction checks fail (more SFT data
 * must raise held-out greedy accuracy, RL must not lower it), naming the numbers.
 */
@Command(name = "mini", mixinStandardHelpOptions = true,
        description = "The miniature RedStar end to end on a synthetic addition task: long-CoT data, SFT at several"
                + " data sizes, RL, held-out evaluation and a report.")
public final class MiniCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "The CI smoke test preset (about 70 s on two cores); exits non-zero unless the direction checks pass.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder; a rerun skips completed stages"
            + " (default runs/mini, or runs/mini-quick with --quick).")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of everything (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--strategy", defaultValue = "reinforce++", converter = StrategyConverter.class,
            description = "RL algorithm: reinforce++, grpo, ppo or dpo (default ${DEFAULT-VALUE}).")
    MiniRedstar.Strategy strategy;

    @Option(names = "--data-sizes", split = ",", paramLabel = "N",
            description = "SFT records of the data-scaling study, ascending (default: the preset's).")
    List<Integer> dataSizes;

    @Option(names = "--rl-steps", paramLabel = "N", description = "RL (or DPO) steps (default: the preset's).")
    Integer rlSteps;

    @Option(names = "--progress", description = "Progress display: ${COMPLETION-CANDIDATES} (default AUTO).")
    Progress.Mode progress;

    PrintStream stdout = System.out;

    /** Parses {@code reinforce++}, {@code grpo}, {@code ppo}, {@code dpo}. */
    static final class StrategyConverter implements CommandLine.ITypeConverter<MiniRedstar.Strategy> {
        @Override
        public MiniRedstar.Strategy convert(String value) {
            try {
                return MiniRedstar.Strategy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The builder these options describe. */
    MiniRedstar.Builder builder() {
        Path folder = out != null ? out : Path.of(quick ? "runs/mini-quick" : "runs/mini");
        MiniRedstar.Builder b = MiniRedstar.builder(folder).seed(seed).strategy(strategy)
                .preset(quick ? MiniRedstar.Preset.QUICK : MiniRedstar.Preset.FULL).log(stdout::println);
        if (dataSizes != null) {
            b.dataSizes(dataSizes);
        }
        if (rlSteps != null) {
            b.rlSteps(rlSteps);
        }
        if (progress != null) {
            b.progress(progress);
            // RlTrainer and DpoTrainer read the mode from this property
            System.setProperty("redstar.progress", progress.name().toLowerCase(Locale.ROOT));
        }
        return b;
    }

    /**
     * The property that sets libtorch's intra-op threads. The miniature's model is so small that every op is
     * dispatch-bound: one thread is as fast on an idle machine and many times faster on a busy one, where spinning
     * threads of two processes starve each other (measured: 1 against 64 SFT steps per second).
     */
    static final String THREADS = "ai.djl.pytorch.num_threads";

    @Override
    public Integer call() {
        long started = System.nanoTime();
        if (System.getProperty(THREADS) == null) {
            System.setProperty(THREADS, "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        MiniRedstar.Builder b = builder();
        MiniRedstar mini = b.build();
        stdout.println("Miniature RedStar (" + (quick ? "quick" : "full") + " preset), output in "
                + mini.outputDir().toAbsolutePath());
        MiniRedstar.Result r = mini.run();
        stdout.println();
        stdout.println("This is a synthetic miniature; accuracies are measured on held-out problems.");
        stdout.print(MiniReport.table(r));
        stdout.println("report: " + r.outputDir().resolve(MiniReport.MARKDOWN) + " and " + MiniReport.HTML
                + "; chart: " + MiniReport.CHART + "; numbers: " + MiniReport.RESULTS);
        stdout.printf(Locale.ROOT, "wall time %.1f s%n", (System.nanoTime() - started) / 1e9);
        List<String> problems = r.directionProblems();
        if (!problems.isEmpty()) {
            for (String p : problems) {
                stdout.println("DIRECTION CHECK FAILED: " + p);
            }
            return 1;
        }
        stdout.println("direction checks passed: more SFT data raised held-out accuracy; RL did not lower it");
        return 0;
    }
}
