package ai.redstar.examples.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code redstar bench}: the parent of the benchmark subcommands; each prints one JSON line per figure. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks; each prints one JSON line per figure.",
        subcommands = {CoreBench.class, GenerationBench.class, SftBench.class, VerifyBench.class, DataBench.class,
                RlBench.class, VlmBench.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
