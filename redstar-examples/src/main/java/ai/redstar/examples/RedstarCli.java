package ai.redstar.examples;

import ai.redstar.examples.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code redstar} command: one entry point, one subcommand per capability. */
@Command(
        name = "redstar",
        mixinStandardHelpOptions = true,
        version = "redstar 0.1.0-SNAPSHOT",
        description = "Long chain-of-thought reasoning models on the JVM.",
        subcommands = {CommandLine.HelpCommand.class, VerifyCommand.class, BenchCommand.class, SftCommand.class})
public final class RedstarCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        int code = new CommandLine(new RedstarCli()).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
