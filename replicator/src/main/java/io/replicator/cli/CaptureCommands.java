package io.replicator.cli;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.sqlite.SqliteSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code replicator install} and {@code replicator uninstall}: change capture in the SQLite file. */
final class CaptureCommands {
    private CaptureCommands() {}

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Install change capture in the SQLite file (triggers + changelog, core SQL only). Idempotent, one transaction.")
    static final class Install implements Callable<Integer> {
        @Option(names = "--sqlite", paramLabel = "PATH", description = "The SQLite database file; default: $SQLITE_PATH or replicator.sqlite in application.yml.")
        String sqlite;

        @Option(names = "--sqlite-busy-timeout", defaultValue = SqliteSource.DEFAULT_BUSY_TIMEOUT_SECONDS + "s", converter = Durations.class, paramLabel = "DURATION",
                description = "How long to wait for the application's transactions to let go of SQLite's lock (default: ${DEFAULT-VALUE}).")
        Duration sqliteBusyTimeout;

        @Override
        public Integer call() {
            CaptureInstaller.Installed r = new CaptureInstaller(SqliteSource.of(sqlite).withBusyTimeout(sqliteBusyTimeout)).install();
            System.out.println("capture installed on " + r.tables().size() + " table(s) " + r.tables() + "; changelog at seq " + r.changelogSeq()
                    + "; schema_version " + r.schemaVersion());
            return 0;
        }
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true,
            description = "Remove every trace of change capture from the SQLite file; the application's tables are untouched.")
    static final class Uninstall implements Callable<Integer> {
        @Option(names = "--sqlite", paramLabel = "PATH", description = "The SQLite database file; default: $SQLITE_PATH or replicator.sqlite in application.yml.")
        String sqlite;

        @Option(names = "--sqlite-busy-timeout", defaultValue = SqliteSource.DEFAULT_BUSY_TIMEOUT_SECONDS + "s", converter = Durations.class, paramLabel = "DURATION",
                description = "How long to wait for the application's transactions to let go of SQLite's lock (default: ${DEFAULT-VALUE}).")
        Duration sqliteBusyTimeout;

        @Override
        public Integer call() {
            List<String> dropped = new CaptureInstaller(SqliteSource.of(sqlite).withBusyTimeout(sqliteBusyTimeout)).uninstall();
            System.out.println(dropped.isEmpty() ? "no capture was installed" : "removed " + String.join(", ", dropped));
            return 0;
        }
    }
}
