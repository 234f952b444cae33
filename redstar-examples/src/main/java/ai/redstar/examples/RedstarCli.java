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
        subcommands = {CommandLine.HelpCommand.class, GenerateCommand.class, VerifyCommand.class,
            DatasetCommand.class, SftCommand.class, DpoCommand.class, RlCommand.class, EvalCommand.class,
            BenchCommand.class, GeoCommand.class, MiniCommand.class})
public final class RedstarCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        CommandLine cli = new CommandLine(new RedstarCli());
        cli.setExecutionExceptionHandler(RedstarCli::reportFailure);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        int code = cli.execute(args);
        System.exit(code);
    }

    /**
     * Prints a failed command's error as one line per cause (the stack trace only with {@code -Dredstar.trace=true}),
     * and exits with status 2.
     */
    static int reportFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (Boolean.getBoolean("redstar.trace")) {
            e.printStackTrace(cli.getErr());
        }
        StringBuilder message = new StringBuilder("redstar " + cli.getCommandName() + ": ");
        String last = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (last == null || !last.contains(text)) {
                message.append(last == null ? "" : "\n  caused by: ").append(text);
            }
            last = text;
        }
        cli.getErr().println(message);
        return 2;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
