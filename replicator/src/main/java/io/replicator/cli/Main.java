package io.replicator.cli;

import java.util.HashSet;
import java.util.Set;

import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/replicator}: parses, delegates, and turns failures into one clear line and an exit code. */
@Command(name = "replicator", mixinStandardHelpOptions = true, version = "replicator 0.1.0",
        description = "Moves a live SQLite database into PostgreSQL without loss.",
        subcommands = {PlanCommand.class, SnapshotCommand.class, VerifyCommand.class, CaptureCommands.Install.class, StreamCommand.class, RunCommand.class, SinkCommand.class, StatusCommand.class, ReplayCommand.class, CutoverCommand.class, RollbackCommand.class,
                CaptureCommands.Uninstall.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:verification found differences", "2:bad arguments or configuration",
                "3:source data that cannot be moved without loss", "4:runtime failure"})
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code;
        try {
            code = execute(args);
        } catch (Throwable t) { // an Error (out of memory, ...) is a runtime failure, never "differences found"
            System.err.println("error: " + t + (t instanceof OutOfMemoryError ? " (give the JVM more heap: REPLICATOR_JAVA_OPTS=-Xmx4g)" : ""));
            code = ExitCode.RUNTIME.code;
        }
        System.exit(code);
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        Set<String> known = new HashSet<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            for (picocli.CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) known.add(o.longestName().replaceFirst("^-+", ""));
        }
        try {
            cl.setDefaultValueProvider(ConfigDefaults.load(known));
        } catch (ReplicatorException e) {
            System.err.println("error: " + e.getMessage());
            return e.exitCode().code;
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ex));
        cl.setExecutionStrategy(parsed -> {
            try {
                StoreSelection.apply(parsed);
            } catch (ReplicatorException e) {
                return report(e);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExitCodeExceptionMapper(t -> ExitCode.RUNTIME.code);
        cl.setParameterExceptionHandler((ex, args1) -> {
            ex.getCommandLine().getErr().println("error: " + PostgresUrl.redactRaw(ex.getMessage()));
            ex.getCommandLine().getErr().println("(see: replicator " + ex.getCommandLine().getCommandName() + " --help)");
            return ExitCode.BAD_CONFIG.code;
        });
        return cl.execute(args);
    }

    static int report(Exception ex) {
        if (SqliteErrors.damaged(ex)) { // wherever the read hit the damage, it is the file, not this run: exit 3
            String what = ex instanceof ReplicatorException ? ex.getMessage() : String.valueOf(ex);
            System.err.println(PostgresUrl.redactRaw("error: " + what + "; " + SqliteErrors.damagedHint()));
            if (debug()) ex.printStackTrace(System.err);
            return ExitCode.DATA_LOSS.code;
        }
        if (ex instanceof ReplicatorException re) {
            System.err.println("error: " + re.getMessage());
            if (debug() && re.getCause() != null) re.getCause().printStackTrace(System.err);
            return re.exitCode().code;
        }
        StringBuilder sb = new StringBuilder("error: unexpected failure: ").append(ex);
        for (Throwable c = ex.getCause(); c != null; c = c.getCause()) sb.append("\n  caused by: ").append(c);
        System.err.println(PostgresUrl.redactRaw(sb.toString()));
        System.err.println("(set REPLICATOR_DEBUG=1 for the stack trace)");
        if (debug()) ex.printStackTrace(System.err);
        return ExitCode.RUNTIME.code;
    }

    private static boolean debug() {
        return System.getenv("REPLICATOR_DEBUG") != null;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
