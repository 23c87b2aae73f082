package io.replicator.testing;

import io.replicator.core.testing.TestPostgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code bin/replicator} command running as its own process (the test JVM's class path, output in a log file
 * under the test's directory), so a test can kill it with SIGKILL the way a crash or an operator would; plus the
 * positions such processes leave behind in SQLite and PostgreSQL.
 */
public final class ReplicatorProcess {
    private final Process process;
    private final Path log;

    private ReplicatorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code bin/replicator <args>} with its output (stdout and stderr) in {@code dir/<command>-<n>.log}. */
    public static ReplicatorProcess start(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "io.replicator.cli.Main"));
        cmd.addAll(List.of(args));
        Path log = dir.resolve(args[0] + "-" + System.nanoTime() + ".log");
        return new ReplicatorProcess(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
    }

    /**
     * Starts {@code run} ({@link #runArgs}) and checks it did not exit at once: waits until it has installed
     * capture (its first step once its options and PostgreSQL are checked); fails if it exits before.
     */
    public static ReplicatorProcess run(Path dir, Path db, String schema, Path state, String kafka, String... extra) throws Exception {
        ReplicatorProcess p = start(dir, runArgs(db, schema, state, kafka, extra));
        p.awaitOutput("capture installed on", 120);
        return p;
    }

    /**
     * The arguments of {@code run} into {@code schema} with the state under {@code state}, a status line every second
     * and the control plane on a free port; {@code kafka} null means the broker embedded in that process.
     */
    public static String[] runArgs(Path db, String schema, Path state, String kafka, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--sqlite", db.toString(), "--postgres", TestPostgres.url(), "--schema", schema,
                "--state-dir", state.toString(), "--status-interval", "1s", "--http-port", "0"));
        if (kafka != null) args.addAll(List.of("--kafka", kafka));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no flush, no shutdown hook; returns once the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("the process did not die within 20 s of SIGKILL");
    }

    /** SIGTERM (a clean stop); the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("the process did not stop within 30 s of SIGTERM:\n" + tail(15));
        return process.exitValue();
    }

    /** Waits for the process to end by itself; its exit code. */
    public int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) throw new AssertionError("the process did not end within " + seconds + " s:\n" + tail(15));
        return process.exitValue();
    }

    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    public String tail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Waits until the output contains {@code text}; fails if the process ends first. */
    public void awaitOutput(String text, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!output().contains(text)) {
            if (!process.isAlive() && !output().contains(text)) throw new AssertionError("exited " + process.exitValue() + " before saying '" + text + "':\n" + tail(20));
            if (System.currentTimeMillis() > deadline) throw new AssertionError("did not say '" + text + "' within " + seconds + " s:\n" + tail(20));
            Thread.sleep(50);
        }
    }

    /** The newest changelog position in the SQLite file. */
    public static long maxSeq(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(seq) FROM _replicator_changelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The changelog position PostgreSQL reflects for {@code schema}, -1 when there is none (yet). */
    public static long appliedSeq(String schema) {
        try (Connection pg = TestPostgres.connect(); PreparedStatement ps = pg.prepareStatement(
                "SELECT seq FROM replicator.sink_position WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        } catch (SQLException e) {
            return -1; // the state table may not exist yet, or PostgreSQL is restarting
        }
    }

    /** Waits until PostgreSQL reflects changelog position {@code seq}; on timeout the message ends with {@code running}'s output. */
    public static void awaitApplied(String schema, long seq, int seconds, ReplicatorProcess running) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        long last = -1;
        while (System.currentTimeMillis() < deadline) {
            last = appliedSeq(schema);
            if (last >= seq) return;
            Thread.sleep(50);
        }
        throw new AssertionError("PostgreSQL did not reach changelog position " + seq + " in " + seconds + " s (at " + last + ")"
                + (running == null ? "" : "; the process's output ends:\n" + running.tail(15)));
    }

    /** Waits until a snapshot into {@code schema} has started (its row in replicator.snapshot_run exists). */
    public static void awaitSnapshotRunning(String schema) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try (Connection pg = TestPostgres.connect(); PreparedStatement ps = pg.prepareStatement(
                    "SELECT status FROM replicator.snapshot_run WHERE target_schema = ?")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) return;
                }
            } catch (SQLException ignored) {
                // not created yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the snapshot did not start");
    }
}
