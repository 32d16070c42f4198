package dev.settle;

import dev.settle.cli.BenchCommand;
import dev.settle.cli.BusinessCommand;
import dev.settle.cli.DemoCommand;
import dev.settle.cli.MigrateCommand;
import dev.settle.cli.ServeCommand;
import dev.settle.cli.VerifyCommand;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one jar's entry point: {@code settle [serve|migrate|verify|business|demo|bench]}. */
@Command(
        name = "settle",
        mixinStandardHelpOptions = true,
        version = "settle 0.1.0",
        description = "Client balances, open payments, credits and gift cards on one ledger.",
        subcommands = {
            ServeCommand.class,
            MigrateCommand.class,
            VerifyCommand.class,
            BusinessCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            dev.settle.cli.FaultsCommand.class
        })
public final class Settle {
    public static void main(String[] args) {
        // No command means serve: `java -jar settle.jar` starts the app.
        final String[] effective = args.length == 0 ? new String[] {"serve"} : args;
        System.exit(commandLine().execute(effective));
    }

    /** The CLI, with failures shown as one line for the person at the terminal. */
    public static CommandLine commandLine() {
        return new CommandLine(new Settle()).setExecutionExceptionHandler((failure, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + failure.getMessage());
            LoggerFactory.getLogger(Settle.class).debug("command failed", failure);
            return 1;
        });
    }
}
