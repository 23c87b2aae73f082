package io.replicator.feed;

import io.replicator.capture.CaptureInstaller;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.TestKafka;
import io.replicator.snapshot.load.SnapshotOptions;
import io.replicator.snapshot.load.SnapshotProgress;
import io.replicator.snapshot.load.SnapshotReport;
import io.replicator.snapshot.load.Snapshotter;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.core.sqlite.JournalPolicy;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot and the feed hand off exactly, under an application that never stops writing: PostgreSQL's
 * snapshot plus the events after its changelog mark equal SQLite, row for row. Also when the feed process
 * is killed (SIGKILL) and restarted: batches may be sent twice, none is skipped.
 */
class HandOffIT {
    @TempDir
    Path dir;

    private Path liveDatabase(String name) throws Exception {
        Path db = SqliteFiles.create(dir, name, LiveWriter.TABLE,
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) INSERT INTO accounts SELECT i, 100, 'seed' FROM n");
        new CaptureInstaller(SqliteSource.of(db.toString())).install();
        return db;
    }

    private static SnapshotReport snapshot(Path db, String schema) {
        return new Snapshotter(SqliteSource.of(db.toString()), TestPostgres.target(),
                new SnapshotOptions(PlanOptions.of(schema, List.of(), "refuse"), 2, JournalPolicy.REFUSE, false), SnapshotProgress.NONE).run();
    }

    private static long handOff(String schema) throws Exception {
        try (Connection pg = TestPostgres.connect(); var ps = pg.prepareStatement("SELECT changelog_seq FROM replicator.snapshot_run WHERE target_schema = ?")) {
            ps.setString(1, schema);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void assertReplicaEqualsSqlite(Path db, String schema, List<Struct> events) throws Exception {
        Map<String, List<String>> keys = Map.of("accounts", List.of("id"));
        Replica.keys(keys);
        Replica replica;
        try (Connection pg = TestPostgres.connect()) {
            replica = new Replica().seedAccounts(pg, schema).apply(events);
        }
        var sqlite = Replica.of(db, keys, List.of());
        assertEquals(sqlite.get("accounts").size(), replica.tables.get("accounts").size(), "row count");
        assertEquals(sqlite, replica.tables, "snapshot + events = SQLite, every row and value");
    }

    @Test
    void snapshotUnderAWriterThenStreamEqualsSqlite() throws Exception {
        Path db = liveDatabase("handoff.db");
        String schema = TestPostgres.freshSchema("handoff");
        long seq;
        try (LiveWriter writer = new LiveWriter(db)) {
            writer.awaitCommits(50);
            long before = writer.commits.get();
            snapshot(db, schema);
            assertTrue(writer.commits.get() > before, "the application committed during the snapshot");
            seq = handOff(schema);
            try (ChangeFeed feed = ChangeFeed.start(FeedSettings.defaults(db, seq, dir.resolve("state")), TestKafka.bootstrap())) {
                writer.awaitCommits(300);
                writer.close();
                try (EventTail tail = new EventTail(TestKafka.bootstrap(), feed.settings().topic())) {
                    List<Struct> events = tail.untilSeq(FeedIT.maxSeq(db), Duration.ofSeconds(60));
                    assertTrue(events.size() > 100, "events flowed: " + events.size());
                    assertReplicaEqualsSqlite(db, schema, events);
                }
            }
        }
    }

    @Test
    void killedFeedRestartsWithoutAGap() throws Exception {
        Path db = liveDatabase("crash.db");
        String schema = TestPostgres.freshSchema("crash");
        snapshot(db, schema);
        Path state = dir.resolve("state");
        try (LiveWriter writer = new LiveWriter(db)) {
            Process feed = startStream(db, schema, state);
            try (EventTail tail = new EventTail(TestKafka.bootstrap(), "replicator.crash")) {
                for (int round = 0; round < 2; round++) {
                    writer.awaitCommits(200);
                    int seen = tail.events.size();
                    tail.until(ev -> ev.size() > seen + 50, Duration.ofSeconds(60));
                    feed.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no flush, no goodbye
                    writer.awaitCommits(200); // the application goes on while the feed is down
                    feed = startStream(db, schema, state);
                }
                writer.awaitCommits(200);
                writer.close();
                List<Struct> events = tail.untilSeq(FeedIT.maxSeq(db), Duration.ofSeconds(60));
                assertReplicaEqualsSqlite(db, schema, events);
            } finally {
                feed.destroy();
                feed.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    private Process startStream(Path db, String schema, Path state) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "io.replicator.cli.Main", "stream",
                "--sqlite", db.toString(), "--postgres", TestPostgres.url(), "--schema", schema,
                "--kafka", TestKafka.bootstrap(), "--state-dir", state.toString()));
        Path log = dir.resolve("stream-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (out.contains("starts after changelog seq")) return p;
            if (!p.isAlive()) throw new AssertionError("the stream process exited " + p.exitValue() + ":\n" + out);
            Thread.sleep(50);
        }
        throw new AssertionError("the stream process did not start in 60 s:\n" + Files.readString(log) + File.separator);
    }
}
