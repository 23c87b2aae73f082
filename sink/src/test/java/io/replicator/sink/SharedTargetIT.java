package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.testing.TestPostgres;
import io.replicator.state.Control;
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
 * held (a sink of its own on one of them is refused); a lost lock session is taken again by every sink; a hold asked
 * by online verification holds that store only; a sink that stops lets its schema go while the others keep theirs.
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
                maxApply = Math.max(maxApply, shared.openConnections());
            }
            for (int i = 0; i < STORES; i++) SinkIT.awaitApplied(sinks.get(i), feeds.get(i).seq());
            maxApply = Math.max(maxApply, shared.openConnections());
            assertEquals(1, maxApply, "four sinks on a pool of 1 hold exactly 1 apply connection");
            assertEquals(1, lockHolders(pgs), "one lock session holds all four schemas' locks");
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
            while (heldLocks(pgs) < STORES) {
                assertTrue(System.currentTimeMillis() < deadline, "the sinks did not take their locks again: " + heldLocks(pgs) + " of " + STORES);
                Thread.sleep(100);
            }
            assertEquals(1, lockHolders(pgs), "still one lock session");
            for (FeedWriter f : feeds) f.insert("t", 1000, 1);
            for (int i = 0; i < STORES; i++) SinkIT.awaitApplied(sinks.get(i), feeds.get(i).seq());

            // online verification asks one store to hold: it holds at its position while the others keep applying
            try (Connection c = TestPostgres.connect()) {
                c.setAutoCommit(true);
                Control.requestHold(c, pgs.get(1).schema, true);
                long until = System.currentTimeMillis() + 10_000;
                while (Control.heldSeq(c, pgs.get(1).schema) == null) {
                    assertTrue(System.currentTimeMillis() < until, "the sink of " + pgs.get(1).schema + " did not hold within 10 s");
                    Thread.sleep(20);
                }
                assertEquals(feeds.get(1).seq(), Control.heldSeq(c, pgs.get(1).schema), "it holds where it applied up to");
                feeds.get(1).insert("t", 1500, 1);
                feeds.get(2).insert("t", 1500, 1);
                SinkIT.awaitApplied(sinks.get(2), feeds.get(2).seq());
                Thread.sleep(300);
                assertTrue(sinks.get(1).appliedSeq() < feeds.get(1).seq(), "a holding sink applies nothing");
                Control.requestHold(c, pgs.get(1).schema, false);
                SinkIT.awaitApplied(sinks.get(1), feeds.get(1).seq());
            }

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

    /** The schema locks of {@code pgs} granted now, and the sessions holding them. */
    private static int[] locks(List<TargetSchema> pgs) throws Exception {
        StringBuilder keys = new StringBuilder();
        for (TargetSchema pg : pgs) keys.append(keys.isEmpty() ? "" : ", ").append("(hashtext('replicator.sink." + pg.schema + "')::bigint & 4294967295)");
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                     + " AND objid::bigint IN (" + keys + ") AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            rs.next();
            return new int[] {rs.getInt(1), rs.getInt(2)};
        }
    }

    private static int heldLocks(List<TargetSchema> pgs) throws Exception {
        return locks(pgs)[0];
    }

    private static int lockHolders(List<TargetSchema> pgs) throws Exception {
        return locks(pgs)[1];
    }
}
