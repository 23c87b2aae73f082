package io.replicator.fleet;

import io.replicator.core.sqlite.SqliteSource;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.ReplicatorProcess;
import io.replicator.verify.Verifier;
import io.replicator.verify.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run --stores}: ten SQLite files in one process under live writers. One store is fed a value its column
 * cannot hold: that store stops (exit 3 in its line), the others keep streaming; a touch of the stores file starts
 * it again, and it stops again on the same value. One store is cut over while the
 * others replicate. A store added to the stores file while running starts; one removed stops. Every store that
 * was not stopped ends equal to its SQLite file; the summary at the stop names each store's outcome.
 */
class FleetIT {
    private static final int STORES = 10;

    @TempDir
    Path dir;

    private record Db(String name, Path file, String schema) {}

    @Test
    void tenStoresOneProcessOneFailureStaysLocal() throws Exception {
        List<Db> dbs = new ArrayList<>();
        StringBuilder yaml = new StringBuilder("stores:\n");
        for (int i = 0; i < STORES; i++) {
            Db d = store(i);
            dbs.add(d);
            yaml.append(entry(d, i % 3));
        }
        Path storesFile = dir.resolve("stores.yml");
        Files.writeString(storesFile, yaml);

        List<Writer> writers = new ArrayList<>();
        ReplicatorProcess run = ReplicatorProcess.start(dir, "run", "--stores", storesFile.toString(), "--postgres", TestPostgres.url(),
                "--state-dir", dir.resolve("state").toString(), "--status-interval", "2s", "--pool-size", "2", "--http-port", "0");
        try {
            for (Db d : dbs) run.awaitOutput("[" + d.name() + "] replicating", 240);
            for (Db d : dbs) writers.add(Writer.start(d.file()));
            awaitRows(writers, 20);

            // a value store 3's column cannot hold: that store stops, alone
            Db poisoned = dbs.get(3);
            sqlite(poisoned.file(), "INSERT INTO t (n, v) VALUES ('not a number', 'poison')");
            run.awaitOutput("[" + poisoned.name() + "] stopped (exit 3)", 60);
            assertTrue(run.isAlive(), "the fleet goes on without the failed store");

            // a store added while running starts; one removed stops
            Db added = store(STORES);
            Files.writeString(storesFile, yaml + entry(added, 0));
            run.awaitOutput("[" + added.name() + "] replicating", 120);
            writers.add(Writer.start(added.file()));
            dbs.add(added);

            // one store cut over while the others replicate
            Db flipped = dbs.get(5);
            ReplicatorProcess cut = ReplicatorProcess.start(dir, "cutover", "--stores", storesFile.toString(), "--store", flipped.name(),
                    "--postgres", TestPostgres.url(), "--max-write-pause", "30s");
            assertEquals(0, cut.awaitExit(180), () -> "cutover of one store: " + cut.tail(20) + "\nfleet: " + run.tail(30));
            run.awaitOutput("[" + flipped.name() + "] the cutover is recorded as done", 60);
            assertTrue(run.isAlive(), "the other stores keep replicating after one store's cutover");
            long before = writers.stream().mapToLong(w -> w.written.get()).sum();
            awaitRows(writers, before / writers.size() + 20);

            for (Writer w : writers) w.stop();
            for (int i = 0; i < dbs.size(); i++) {
                SQLException e = writers.get(i).error;
                if (dbs.get(i) == flipped) assertTrue(e != null && e.getMessage().contains("PostgreSQL"), "the flipped store's writer met the fence: " + e);
                else assertEquals(null, e, dbs.get(i).name() + "'s writer failed");
            }
            for (Db d : dbs) {
                if (d == poisoned) continue;
                ReplicatorProcess.awaitApplied(d.schema(), ReplicatorProcess.maxSeq(d.file()), 120, run);
                VerifyReport v = new Verifier(SqliteSource.of(d.file().toString()), TestPostgres.target(), d.schema(), 20).run();
                assertTrue(v.equal(), () -> d.name() + " differs: " + v);
            }
            assertTrue(ReplicatorProcess.appliedSeq(poisoned.schema()) < ReplicatorProcess.maxSeq(poisoned.file()),
                    "the failed store applied nothing past the value it could not take");
            assertTrue(run.output().contains("column n"), "the failed store's line names the column: " + run.tail(40));

            Files.writeString(storesFile, yaml.toString().replace(entry(dbs.get(9), 9 % 3), ""));
            run.awaitOutput("store " + dbs.get(9).name() + " left the stores file", 30);
            assertFalse(run.output().contains("starting store " + poisoned.name() + " again"), "an edit leaves a failed store stopped");
            // a touch (the same text) starts failed stores again: the value is still there, so it stops again
            Files.setLastModifiedTime(storesFile, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            run.awaitOutput("fleet: starting store " + poisoned.name() + " again (it failed)", 30);
            awaitCount(run, "[" + poisoned.name() + "] stopped (exit 3)", 2, 120);

            assertEquals(143, run.stop(), "SIGTERM: the JVM's own exit status; the summary says which store failed");
            assertTrue(run.output().contains(poisoned.name() + ": failed (exit 3"), run.tail(20));
            assertTrue(run.output().contains(flipped.name() + ": cut over"), run.tail(20));
        } finally {
            for (Writer w : writers) w.stop();
            if (run.isAlive()) run.kill();
        }
    }

    private Db store(int i) throws SQLException {
        String name = "s" + i;
        Path file = SqliteFiles.create(dir, name + ".db",
                "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, v TEXT)",
                "INSERT INTO t (n, v) VALUES (1, 'seed'), (2, 'seed')");
        return new Db(name, file, TestPostgres.freshSchema("fleet_" + name));
    }

    private static String entry(Db d, int priority) {
        return "  - name: " + d.name() + "\n    sqlite: " + d.file() + "\n    schema: " + d.schema() + "\n    priority: P" + priority + "\n";
    }

    private static void sqlite(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute(sql);
        }
    }

    private static void awaitCount(ReplicatorProcess run, String text, int times, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (run.output().split(Pattern.quote(text), -1).length - 1 < times) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("'" + text + "' not seen " + times + " times:\n" + run.tail(30));
            Thread.sleep(100);
        }
    }

    private static void awaitRows(List<Writer> writers, long each) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (writers.stream().anyMatch(w -> w.running() && w.written.get() < each)) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("the writers did not write " + each + " rows each in 60 s");
            Thread.sleep(50);
        }
    }

    /** An application writing its SQLite file about 6 times a second: inserts, updates and deletes; it stops when fenced. */
    private static final class Writer {
        final AtomicLong written = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        volatile boolean fenced;
        volatile SQLException error;
        Thread thread;

        static Writer start(Path db) {
            Writer w = new Writer();
            w.thread = new Thread(() -> w.loop(db), "writer-" + db.getFileName());
            w.thread.start();
            return w;
        }

        boolean running() {
            return !fenced && thread.isAlive();
        }

        private void loop(Path db) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                for (long i = 0; !stop.get(); i++) {
                    s.execute("INSERT INTO t (n, v) VALUES (" + i + ", 'row " + i + "')");
                    if (i % 3 == 0) s.execute("UPDATE t SET v = v || '+' WHERE id = (SELECT max(id) - 1 FROM t)");
                    if (i % 7 == 0) s.execute("DELETE FROM t WHERE id = (SELECT min(id) FROM t WHERE v LIKE 'row%')");
                    written.incrementAndGet();
                    Thread.sleep(150);
                }
            } catch (SQLException e) {
                error = e;
                fenced = true; // the cutover fenced the file (checked at the end: only the flipped store's writer may stop)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }
}
