package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One sink per schema, against a real PostgreSQL and Kafka: a second sink is refused; a lost lock session is taken again. */
class SchemaLockIT {
    private static Sink sink(FeedWriter feed, TargetSchema pg) {
        return Sink.start(SinkSettings.of(TestKafka.bootstrap(), feed.topic(), pg.schema, TestPostgres.target()));
    }

    /** A sink started twice on one schema: the second refuses (exit 2) instead of applying beside the first. */
    @Test
    void aSecondSinkOnTheSameSchemaIsRefused() throws Exception {
        TargetSchema pg = TargetSchema.create("twice", "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
        try (FeedWriter feed = new FeedWriter(TestKafka.bootstrap(), "sinkit." + pg.schema).table("t", 1, "id", "v")) {
            pg.snapshot(feed);
            try (Sink first = sink(feed, pg)) {
                SinkIT.awaitApplied(first, feed.seq()); // it read its position: it holds the lock
                try (Connection c = TestPostgres.connect()) {
                    assertTrue(Sink.schemaBusy(c, pg.schema));
                }
                try (Sink second = sink(feed, pg)) {
                    assertTrue(second.await(Duration.ofSeconds(30)), "the second sink stops");
                    assertEquals(ExitCode.BAD_CONFIG, second.failure().exitCode());
                    assertTrue(second.failure().getMessage().contains("another sink"), second.failure().getMessage());
                }
                // the lock's own session ended (a terminated backend, a PostgreSQL restart): the sink takes it again
                long before = lockPid();
                assertTrue(before > 0, "the sink's lock session holds the lock");
                try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
                    s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + SchemaLock.APPLICATION_NAME + "'"
                            + " AND datname = current_database()");
                }
                // watched in pg_locks, not tried: a probe holding the lock for an instant could meet the sink taking it again
                long deadline = System.currentTimeMillis() + SchemaLock.CHECK_MS + 30_000;
                for (long pid = before; pid == before || pid < 0; pid = lockPid()) {
                    assertTrue(System.currentTimeMillis() < deadline, "the running sink did not take its lock again");
                }
                feed.insert("t", 1, 1);
                SinkIT.awaitApplied(first, feed.seq());
            }
            try (Connection c = TestPostgres.connect()) { // unlocked before close() returns, not when the backend ends a moment later
                assertFalse(Sink.schemaBusy(c, pg.schema), "a closed sink lets the schema go at once: a sink started next is not refused");
            }
            pg.assertMatches(feed, "the first sink went on");
        }
    }

    /** The backend of this database's sink lock session holding an advisory lock, or -1. */
    private static long lockPid() throws Exception {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(a.pid), -1) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory'"
                     + " AND l.granted AND a.application_name = '" + SchemaLock.APPLICATION_NAME + "' AND a.datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
