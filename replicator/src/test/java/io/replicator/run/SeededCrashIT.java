package io.replicator.run;

import io.replicator.capture.WriteFence;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.state.CutoverState;
import io.replicator.state.CutoverStatus;
import io.replicator.testing.ReplicatorProcess;
import io.replicator.testing.TestKafka;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL at seeded random moments, all real (SQLite written by {@link ShopWriter}, Kafka, PostgreSQL): each seed
 * draws a plan from {@code new Random(seed)} — a kill of {@code run} during the snapshot or not, zero to two kills
 * while streaming, and at the cutover nothing, a kill of the {@code cutover} process after the fence went up, or a
 * kill of {@code run} while the cutover waits for it — with the delays, the documented recovery after a cutover
 * died ({@code cutover --lift-fence} then cut over again, or cut over again at once), and whether Kafka is the
 * broker embedded in {@code run} (killed with it) or the test JVM's. Every seed ends cut over, and then: every row
 * equal, the balance invariant held throughout, every committed log line in PostgreSQL exactly once.
 *
 * <p>Seeds 1..{@code faults.seeds} run (default 2; {@code -Pfaults} runs 20); {@code -Dfaults.seed=N} runs seed N
 * alone. A failure names its seed and plan.
 */
class SeededCrashIT {
    @TempDir
    Path dir;

    enum CutoverFault { NONE, KILL_CUTOVER, KILL_RUN }

    /** What a seed does; drawn in a fixed order, so a seed always means the same plan. */
    record Plan(long seed, boolean embeddedKafka, int snapshotKillMs, int[] streamingKillsAfterCommits, CutoverFault cutover,
                int cutoverKillMs, boolean liftFenceFirst) {
        static Plan of(long seed) {
            Random r = new Random(mix(seed));
            boolean embedded = r.nextBoolean();
            int snapshotKill = r.nextBoolean() ? r.nextInt(1000) : -1;
            int[] streaming = new int[r.nextInt(3)];
            for (int i = 0; i < streaming.length; i++) streaming[i] = 50 + r.nextInt(1000);
            CutoverFault cutover = CutoverFault.values()[r.nextInt(3)];
            int cutoverKill = cutover == CutoverFault.KILL_CUTOVER ? r.nextInt(1500) : r.nextInt(300);
            boolean lift = r.nextBoolean();
            if (snapshotKill < 0 && streaming.length == 0 && cutover == CutoverFault.NONE) streaming = new int[] {50 + r.nextInt(1000)};
            return new Plan(seed, embedded, snapshotKill, streaming, cutover, cutoverKill, lift);
        }

        /** Small consecutive seeds make nearly equal first draws in java.util.Random; spread them first (SplitMix64's finalizer). */
        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        @Override
        public String toString() {
            return "seed " + seed + ": Kafka " + (embeddedKafka ? "embedded in run" : "in the test JVM")
                    + (snapshotKillMs >= 0 ? "; kill run " + snapshotKillMs + " ms into the snapshot" : "")
                    + (streamingKillsAfterCommits.length > 0 ? "; kill run while streaming after " + java.util.Arrays.toString(streamingKillsAfterCommits) + " commits" : "")
                    + switch (cutover) {
                        case NONE -> "; cut over";
                        case KILL_CUTOVER -> "; kill the cutover " + cutoverKillMs + " ms after its fence went up, then "
                                + (liftFenceFirst ? "cutover --lift-fence and cut over again" : "cut over again");
                        case KILL_RUN -> "; kill run " + cutoverKillMs + " ms after the cutover's fence went up, restart it, cut over again unless done";
                    };
        }
    }

    static LongStream seeds() {
        String one = System.getProperty("faults.seed", "");
        if (!one.isBlank()) return LongStream.of(Long.parseLong(one.strip()));
        return LongStream.rangeClosed(1, Long.parseLong(System.getProperty("faults.seeds", "2").strip()));
    }

    @TestFactory
    Stream<DynamicTest> killedAtSeededMomentsStillEqualWithNothingLostOrTwice() {
        return seeds().mapToObj(Plan::of).map(plan -> DynamicTest.dynamicTest("seed " + plan.seed(), () -> {
            System.out.println("fault plan " + plan);
            try {
                scenario(plan);
            } catch (Throwable t) {
                throw new AssertionError("fault " + plan + " failed (reproduce: -Dtest=SeededCrashIT -Dfaults.seed=" + plan.seed() + "): " + t.getMessage(), t);
            }
        }));
    }

    private void scenario(Plan plan) throws Exception {
        Path d = Files.createDirectories(dir.resolve("seed-" + plan.seed()));
        Path db = SqliteFiles.create(d, "shop.db", ShopWriter.SCHEMA);
        String schema = TestPostgres.freshSchema("crash");
        Path state = d.resolve("state");
        String kafka = plan.embeddedKafka() ? null : TestKafka.bootstrap();
        BalanceCheck invariant = null;
        ShopWriter writer = new ShopWriter(db);
        try {
            ReplicatorProcess run = ReplicatorProcess.run(d, db, schema, state, kafka);
            if (plan.snapshotKillMs() >= 0) {
                ReplicatorProcess.awaitSnapshotRunning(schema);
                Thread.sleep(plan.snapshotKillMs());
                run.kill();
                writer.awaitCommits(100);
                run = ReplicatorProcess.run(d, db, schema, state, kafka);
            }
            ReplicatorProcess.awaitApplied(schema, 1, 180, run);
            invariant = new BalanceCheck(schema);
            for (int commits : plan.streamingKillsAfterCommits()) {
                writer.awaitCommits(commits);
                run.kill(); // mid-batch or between batches, wherever it is
                writer.awaitCommits(100);
                run = ReplicatorProcess.run(d, db, schema, state, kafka);
            }
            writer.awaitCommits(200);
            ReplicatorProcess.awaitApplied(schema, ReplicatorProcess.maxSeq(db), 180, run);

            ReplicatorProcess cut = cutover(d, db, schema, "30s");
            if (plan.cutover() != CutoverFault.NONE) {
                awaitFence(db, cut);
                Thread.sleep(plan.cutoverKillMs());
                if (plan.cutover() == CutoverFault.KILL_CUTOVER) {
                    cut.kill();
                    if (!"done".equals(cutoverStatus(schema))) {
                        if (plan.liftFenceFirst()) {
                            ReplicatorProcess lift = ReplicatorProcess.start(d, "cutover", "--sqlite", db.toString(), "--lift-fence");
                            assertEquals(0, lift.awaitExit(60), lift.output());
                            assertTrue(lift.output().contains("write fence lifted"), lift.output());
                            assertTrue(!fenceUp(db), "no fence after --lift-fence");
                            writer.awaitCommits(100); // the application writes again
                        }
                        cut = cutover(d, db, schema, "30s");
                    } else {
                        cut = null; // it finished (recorded done) before the kill reached it: nothing to redo
                    }
                } else {
                    run.kill();
                    int code = cut.awaitExit(120);
                    if (code != 0) {
                        assertEquals(4, code, cut.output());
                        assertTrue(cut.output().contains("cutover aborted") && cut.output().contains("The fence is lifted"), cut.output());
                        assertTrue(!fenceUp(db), "an aborted cutover lifts the fence");
                    }
                    run = ReplicatorProcess.start(d, ReplicatorProcess.runArgs(db, schema, state, kafka)); // may find the cutover done and stop at once
                    if (code != 0) {
                        writer.awaitCommits(100);
                        ReplicatorProcess.awaitApplied(schema, ReplicatorProcess.maxSeq(db), 180, run);
                        cut = cutover(d, db, schema, "30s");
                    }
                }
            }
            if (cut != null) assertEquals(0, cut.awaitExit(180), cut.output());
            assertEquals("done", cutoverStatus(schema));
            assertEquals(0, run.awaitExit(60), "run stops by itself once the cutover is recorded:\n" + run.tail(10));
            assertTrue(run.output().contains("cutover is recorded as done") || run.output().contains("was cut over"), run.tail(10));
            // the application keeps trying: its next write meets the fence (asserted below)
            Await.until("a write after the cutover was refused with the fence message", Duration.ofSeconds(20),
                    () -> writer.refused.get() > 0 || writer.error.get() != null, () -> "writer error " + writer.error.get());
        } finally {
            writer.close();
            if (invariant != null) invariant.close();
        }
        assertTrue(fenceUp(db), "SQLite stays fenced after the cutover");
        assertTrue(writer.refused.get() > 0, "writes after the fence were refused with the fence message");
        assertTrue(invariant.checks() > 10, "the invariant was checked while streaming: " + invariant.checks());
        assertEquals(List.of(), invariant.violations(), "PostgreSQL only showed states SQLite had");
        assertEquals(ReplicatorProcess.maxSeq(db), ReplicatorProcess.appliedSeq(schema), "PostgreSQL applied the final position");
        ShopOutcome.assertConverged(db, schema, writer, plan.toString());
    }

    private static ReplicatorProcess cutover(Path d, Path db, String schema, String maxPause) throws Exception {
        return ReplicatorProcess.start(d, "cutover", "--sqlite", db.toString(), "--postgres", TestPostgres.url(), "--schema", schema,
                "--max-write-pause", maxPause);
    }

    /** Waits until the cutover's fence is up in SQLite, or the cutover process ended. */
    private static void awaitFence(Path db, ReplicatorProcess cut) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (fenceUp(db) || !cut.isAlive()) return;
            Thread.sleep(5);
        }
        throw new AssertionError("the cutover did not fence SQLite within 60 s:\n" + cut.tail(10));
    }

    static boolean fenceUp(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND substr(name, 1, ?) = ?")) {
            ps.setInt(1, WriteFence.PREFIX.length());
            ps.setString(2, WriteFence.PREFIX);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    static String cutoverStatus(String schema) throws Exception {
        try (Connection pg = TestPostgres.connect()) {
            CutoverStatus s = CutoverState.status(pg, schema);
            return s == null ? null : s.stored;
        }
    }
}
