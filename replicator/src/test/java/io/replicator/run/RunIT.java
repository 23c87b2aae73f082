package io.replicator.run;

import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.ReplicatorProcess;
import io.replicator.testing.TestKafka;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.verify.VerifyReport;
import io.replicator.verify.Verifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job end to end, all real (SQLite written by a live application with foreign keys, Kafka,
 * PostgreSQL): {@code bin/replicator run} as its own process, killed with SIGKILL at random moments (during
 * the snapshot, while streaming) and restarted; when the writer stops, lag reaches zero and every row of every
 * table is equal. While it streams, PostgreSQL never shows a state SQLite did not have: the sum of balances,
 * kept constant by every SQLite transaction, is constant in PostgreSQL at every moment.
 */
class RunIT {
    @TempDir
    Path dir;

    @Test
    void killedAtRandomAndRestartedStillEqualWithNothingTwice() throws Exception {
        Path db = SqliteFiles.create(dir, "shop.db", ShopWriter.SCHEMA);
        String schema = TestPostgres.freshSchema("run");
        Path state = dir.resolve("state");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        BalanceCheck invariant = null;
        try (ShopWriter writer = new ShopWriter(db)) {
            ReplicatorProcess run = start(db, schema, state);
            ReplicatorProcess.awaitSnapshotRunning(schema);
            Thread.sleep(r.nextLong(0, 300));
            run.kill(); // during the snapshot
            writer.awaitCommits(100);
            run = start(db, schema, state);
            ReplicatorProcess.awaitApplied(schema, 1, 120, run);
            invariant = new BalanceCheck(schema);
            for (int i = 0; i < 3; i++) {
                writer.awaitCommits(r.nextLong(200, 800));
                run.kill(); // while streaming: mid-batch or between batches, wherever it is
                writer.awaitCommits(100);
                run = start(db, schema, state);
            }
            writer.awaitCommits(500);
            writer.close();
            long captured = ReplicatorProcess.maxSeq(db);
            ReplicatorProcess.awaitApplied(schema, captured, 120, run);
            invariant.close();
            run.stop(); // SIGTERM: a clean stop
        }
        assertTrue(invariant.checks() > 10, "the invariant was checked while streaming: " + invariant.checks());
        assertEquals(List.of(), invariant.violations(), "PostgreSQL only showed states SQLite had");
        VerifyReport v = new Verifier(SqliteSource.of(db.toString()), TestPostgres.target(), schema, 20).run();
        assertTrue(v.equal(), () -> "every row equal after kills and restarts: " + v);
        try (Connection pg = TestPostgres.connect(); Statement s = pg.createStatement();
             ResultSet rs = s.executeQuery("SELECT sum(balance) FROM \"" + schema + "\".customers")) {
            rs.next();
            assertEquals(ShopWriter.TOTAL, rs.getLong(1));
        }
    }

    private ReplicatorProcess start(Path db, String schema, Path state) throws Exception {
        return ReplicatorProcess.run(dir, db, schema, state, TestKafka.bootstrap());
    }
}
