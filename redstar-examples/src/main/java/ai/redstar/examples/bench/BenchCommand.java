package ai.redstar.examples.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code redstar bench}: the benchmarks, one subcommand each, every figure printed as one JSON line. (If another
 * branch also defines this parent command, merge the subcommand lists.)
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: one JSON line per figure.",
        subcommands = {VerifyBench.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
