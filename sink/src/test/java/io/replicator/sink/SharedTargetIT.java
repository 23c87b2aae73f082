package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fleet's sinks on one shared pool and one lock session, against a real PostgreSQL and Kafka: four schemas applied
 * through one connection in turn, never more connections than the pool and the lock session; each schema's lock is
 * held (a sink of its own on one of them is refused); a lost lock session is taken again by every sink; a sink that
 * stops lets its schema go while the others keep theirs.
 */
class SharedTargetIT {
    private static final int STORES = 4;

    @Test
    void fourSinksShareOneConnectionAndOneLockSession() throws Exception {
        List<TargetSchema> pgs = new ArrayList<>();
        List<FeedWriter> feeds = new ArrayList<>();
        List<Sink> sinks = new ArrayList<>();
        try (SharedTarget shared = SharedTarget.open(TestPostgres.target(), 1, null)) {
            for (int i = 0; i < STORES; i++) {
                TargetSchema pg = TargetSchema.create("shared" + i, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
                FeedWriter feed = new FeedWriter(TestKafka.bootstrap(), "sinkit." + pg.schema).table("t", 1, "id", "v");
                pg.snapshot(feed);
                pgs.add(pg);
                feeds.add(feed);
                sinks.add(Sink.start(SinkSettings.builder(TestKafka.bootstrap(), feed.topic(), pg.schema, TestPostgres.target()).shared(shared).build()));
            }
            int maxApply = 0;
            for (int round = 0; round < 50; round++) {
                for (FeedWriter f : feeds) f.insert("t", round, round * 7);
                maxApply = Math.max(maxApply, connections(TargetPool.APPLICATION_NAME));
            }
            for (int i = 0; i < STORES; i++) SinkIT.awaitApplied(sinks.get(i), feeds.get(i).seq());
            maxApply = Math.max(maxApply, connections(TargetPool.APPLICATION_NAME));
            assertTrue(maxApply <= 1, "four sinks on a pool of 1 must never hold more than 1 apply connection, saw " + maxApply);
            assertEquals(1, connections(SchemaLock.APPLICATION_NAME), "one lock session for all four schemas");
            try (Connection c = TestPostgres.connect()) {
                for (TargetSchema pg : pgs) assertTrue(Sink.schemaBusy(c, pg.schema), "schema " + pg.schema + " is locked by its shared sink");
            }
            try (Sink own = Sink.start(SinkSettings.of(TestKafka.bootstrap(), feeds.get(0).topic(), pgs.get(0).schema, TestPostgres.target()))) {
                assertTrue(own.await(Duration.ofSeconds(30)), "a second sink of a shared schema stops");
                assertEquals(ExitCode.BAD_CONFIG, own.failure().exitCode());
            }

            // the lock session ended: every sink takes its lock again on a new one, and applies on
            try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + SchemaLock.APPLICATION_NAME + "'"
                        + " AND datname = current_database()");
            }
            long deadline = System.currentTimeMillis() + SchemaLock.CHECK_MS + 30_000;
            while (heldLocks() < STORES) {
                assertTrue(System.currentTimeMillis() < deadline, "the sinks did not take their locks again: " + heldLocks() + " of " + STORES);
                Thread.sleep(100);
            }
            assertEquals(1, connections(SchemaLock.APPLICATION_NAME), "still one lock session");
            for (FeedWriter f : feeds) f.insert("t", 1000, 1);
            for (int i = 0; i < STORES; i++) SinkIT.awaitApplied(sinks.get(i), feeds.get(i).seq());

            // one sink stops: its schema is free at once, the others stay locked and keep applying
            sinks.get(0).close();
            try (Connection c = TestPostgres.connect()) {
                assertFalse(Sink.schemaBusy(c, pgs.get(0).schema), "a stopped sink lets its schema go");
                for (int i = 1; i < STORES; i++) assertTrue(Sink.schemaBusy(c, pgs.get(i).schema));
            }
            for (int i = 1; i < STORES; i++) feeds.get(i).insert("t", 2000, 2);
            for (int i = 1; i < STORES; i++) SinkIT.awaitApplied(sinks.get(i), feeds.get(i).seq());
            for (int i = 1; i < STORES; i++) pgs.get(i).assertMatches(feeds.get(i), "schema " + pgs.get(i).schema + " through the shared pool");
        } finally {
            for (Sink s : sinks) s.close();
            for (FeedWriter f : feeds) f.close();
        }
    }

    private static int connections(String applicationName) throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName + "' AND datname = current_database()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Advisory locks granted to the lock session of this database. */
    private static int heldLocks() throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory'"
                     + " AND l.granted AND a.application_name = '" + SchemaLock.APPLICATION_NAME + "' AND a.datname = current_database()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
