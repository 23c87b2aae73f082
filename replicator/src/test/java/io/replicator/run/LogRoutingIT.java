package io.replicator.run;

import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.ReplicatorProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console of a normal {@code run} shows the replicator's own lines; the libraries' lines (Kafka, Debezium,
 * Micronaut, HikariCP) go to {@code <state-dir>/logs/replicator.log}. Regression test for library noise on the
 * operator's console, such as {@code WARN OffsetFetcherUtils - ... Not updating high watermark}.
 */
class LogRoutingIT {
    /** A log line on the console: time, level, the logger's short name. */
    private static final Pattern CONSOLE_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - ", Pattern.MULTILINE);
    /** A line of the file: date, time, level, thread, the logger's full name. */
    private static final Pattern FILE_LINE = Pattern.compile("^\\S+ \\S+ (TRACE|DEBUG|INFO |WARN |ERROR) \\[[^]]*] (\\S+) - ", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void theConsoleShowsTheToolsLinesAndTheFileTheLibraries() throws Exception {
        Path db = SqliteFiles.create(dir, "logs.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        String schema = TestPostgres.freshSchema("logs");
        Path state = dir.resolve("state");
        ReplicatorProcess run = ReplicatorProcess.run(dir, db, schema, state, null);
        try {
            run.awaitOutput("replicating " + db, 300); // streaming: the rows below go through Kafka, the sink and their libraries
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                for (int i = 0; i < 20; i++) s.execute("INSERT INTO t (v) VALUES ('row " + i + "')");
            }
            ReplicatorProcess.awaitApplied(schema, ReplicatorProcess.maxSeq(db), 180, run);
            run.awaitOutput("lag", 60); // at least one status line
            run.stop();
        } finally {
            if (run.isAlive()) run.kill();
        }
        String console = run.output();
        Path file = state.resolve("logs/replicator.log");
        assertTrue(Files.isRegularFile(file), "the log file exists under the state directory:\n" + console);
        assertTrue(console.contains("log file: " + file.toAbsolutePath().normalize()), "run says where the log file is:\n" + console);
        String log = Files.readString(file);

        Set<String> libraryLoggers = loggers(log).stream().filter(l -> !l.startsWith("io.replicator.")).collect(Collectors.toSet());
        assertFalse(libraryLoggers.isEmpty(), "the file holds the libraries' lines:\n" + head(log));
        assertTrue(loggers(log).stream().anyMatch(l -> l.startsWith("io.replicator.")), "and the tool's own:\n" + head(log));
        Set<String> ownShortNames = loggers(log).stream().filter(l -> l.startsWith("io.replicator.")).map(LogRoutingIT::shortName).collect(Collectors.toSet());
        Set<String> libraryShortNames = libraryLoggers.stream().map(LogRoutingIT::shortName).filter(n -> !ownShortNames.contains(n)).collect(Collectors.toSet());

        Matcher m = CONSOLE_LINE.matcher(console);
        List<String> libraryOnConsole = new java.util.ArrayList<>();
        while (m.find()) {
            if (!m.group(1).equals("ERROR") && libraryShortNames.contains(m.group(2))) libraryOnConsole.add(m.group());
        }
        assertEquals(List.of(), libraryOnConsole, "no library line below ERROR on the console:\n" + console);
        assertTrue(console.contains("capture installed on"), "the tool's own lines stay on the console:\n" + console);
        assertTrue(console.contains("replicating " + db), console);
    }

    @Test
    void anUnknownLogLevelIsRefusedBeforeAnythingStarts() throws Exception {
        Path db = SqliteFiles.create(dir, "level.db", "CREATE TABLE t (id INTEGER PRIMARY KEY)");
        ReplicatorProcess p = ReplicatorProcess.start(dir, ReplicatorProcess.runArgs(db, TestPostgres.freshSchema("loglevel"), dir.resolve("state"), null,
                "--log-level", "verbose"));
        assertEquals(2, p.awaitExit(60), p.output());
        assertTrue(p.output().contains("--log-level: 'verbose' is not one of error, warn, info, debug, trace"), p.output());
        assertFalse(Files.exists(dir.resolve("state")), "nothing was created");
    }

    private static Set<String> loggers(String log) {
        Matcher m = FILE_LINE.matcher(log);
        Set<String> names = new java.util.TreeSet<>();
        while (m.find()) names.add(m.group(2));
        return names;
    }

    private static String shortName(String logger) {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    private static String head(String log) {
        return log.lines().limit(30).collect(Collectors.joining("\n"));
    }
}
