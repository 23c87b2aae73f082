package io.replicator.cutover;

import io.replicator.rollback.PgChangeLog;
import java.io.IOException;
import java.util.Map;

import io.replicator.state.StateSchema;
import io.replicator.state.CutoverStatus;
import io.replicator.state.CutoverState;

import io.replicator.capture.CaptureStatus;
import io.replicator.capture.WriteFence;
import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.sink.ForeignKey;
import io.replicator.sink.Orphans;
import io.replicator.sink.Sink;
import io.replicator.state.SinkState;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.verify.Verifier;
import io.replicator.verify.VerifyReport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.replicator.core.Identifiers.pg;

/**
 * Flips the application from SQLite to PostgreSQL: checks that a running replicator is streaming with little
 * lag, fences SQLite's writes and reads the final changelog position in the same transaction, waits until the
 * sink applied exactly that position, verifies, moves every identity past the copied maximum (and past
 * SQLite's AUTOINCREMENT high mark), runs the hook, and records the cutover. If any step fails or the write
 * pause would pass its limit, the fence is lifted and the reason recorded: the application lost no write.
 */
public final class Cutover {
    /** FULL compares every row; SAMPLE compares row counts and {@link #SAMPLE_CHUNKS} random key-range chunks per big table. */
    public enum VerifyMode { FULL, SAMPLE, NONE }

    /** Chunks (about 8,192 rows each) compared per table by --verify=sample. */
    public static final int SAMPLE_CHUNKS = 16;

    /** @param allowOrphans flip even when rows break foreign keys (they move as they are; those keys become NOT VALID) */
    public record Options(Duration maxWritePause, long maxLag, VerifyMode verify, String hook, boolean allowOrphans) {}

    /** What happened; {@code writePauseMs} from the fence to done (or to the fence being lifted). */
    public record Result(boolean done, long finalSeq, long writePauseMs, String reason, VerifyReport verify, Orphans.Report orphans) {
        /** Refused or aborted because rows break foreign keys. */
        public boolean orphansRefused() {
            return !done && orphans != null && !orphans.broken().isEmpty();
        }
    }

    private final SqliteSource source;
    private final PostgresUrl target;
    private final String schema;
    private final Options opt;

    public Cutover(SqliteSource source, PostgresUrl target, String schema, Options opt) {
        this.source = source;
        this.target = target;
        this.schema = schema;
        this.opt = opt;
    }

    public Result run() {
        try (Connection c = target.connect("replicator-cutover")) {
            StateSchema.ensure(c);
            if (CutoverState.status(c, schema) == CutoverStatus.DONE) {
                throw ReplicatorException.config("schema " + schema + " was already cut over (see " + CutoverState.TABLE + ")");
            }
            preflight(c);
            Orphans.Report orphans = checkOrphans(c);
            if (!orphans.broken().isEmpty() && !opt.allowOrphans()) {
                String reason = ForeignKeysAtCutover.refusal(orphans);
                CutoverState.record(c, schema, CutoverStatus.ABORTED, null, null, reason);
                return new Result(false, -1, 0, reason, null, orphans);
            }
            WriteFence fence = new WriteFence(source);
            long finalSeq = fence.raise("this database has moved to PostgreSQL (" + target.redacted() + ", schema " + schema
                    + "): writes are refused since the replicator's cutover");
            long fencedAt = System.nanoTime();
            try {
                awaitApplied(c, finalSeq, fencedAt);
                VerifyReport v = null;
                if (opt.verify() != VerifyMode.NONE) {
                    v = new Verifier(source, target, schema, 10, sq -> Map.of(), opt.verify() == VerifyMode.SAMPLE ? SAMPLE_CHUNKS : 0).run();
                    if (!v.equal()) return abort(c, fence, finalSeq, fencedAt, "verification found differences: " + differing(v), v, null);
                }
                checkPause(fencedAt, "verification");
                Orphans.Report atEnd = checkOrphans(c);
                if (!atEnd.broken().isEmpty() && !opt.allowOrphans()) {
                    return abort(c, fence, finalSeq, fencedAt, ForeignKeysAtCutover.refusal(atEnd), v, atEnd);
                }
                List<ForeignKey> toValidate = finalSchema(c, atEnd);
                if (opt.hook() != null) runHook(finalSeq, fencedAt);
                long pause = ms(fencedAt);
                CutoverState.record(c, schema, CutoverStatus.DONE, finalSeq, pause, null);
                validateAfterFlip(c, toValidate);
                return new Result(true, finalSeq, pause, null, v, atEnd);
            } catch (ReplicatorException | SQLException e) {
                return abort(c, fence, finalSeq, fencedAt, e.getMessage(), null, null);
            }
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cutover: cannot use PostgreSQL at " + target.redacted() + ": " + e.getMessage(), e);
        }
    }

    /** Streaming, by a running replicator, close enough to the end. */
    private void preflight(Connection c) throws SQLException {
        SinkState s = SinkState.read(c, schema);
        if (s == null) throw ReplicatorException.config("nothing replicates into schema " + schema + " yet: start `bin/replicator run` first");
        if (!Sink.schemaBusy(c, schema)) {
            throw ReplicatorException.config("no running `bin/replicator run` is applying to schema " + schema
                    + ": the final changes would never arrive. Start it, wait for lag near zero, then cut over");
        }
        long captured = CaptureStatus.read(source).capturedSeq();
        if (captured - s.seq() > opt.maxLag()) {
            throw ReplicatorException.config("lag is " + (captured - s.seq()) + " change(s), more than --max-lag " + opt.maxLag()
                    + ": wait until the replicator has caught up (bin/replicator status), then cut over");
        }
    }

    private void awaitApplied(Connection c, long finalSeq, long fencedAt) throws SQLException {
        while (true) {
            SinkState s = SinkState.read(c, schema);
            if (s != null && s.seq() >= finalSeq) return;
            checkPause(fencedAt, "waiting for PostgreSQL to apply up to seq " + finalSeq + " (at " + (s == null ? "none" : s.seq()) + ")");
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ReplicatorException.runtime("interrupted while waiting for the sink", e);
            }
        }
    }

    private void checkPause(long fencedAt, String during) {
        if (ms(fencedAt) > opt.maxWritePause().toMillis()) {
            throw new ReplicatorException(ExitCode.RUNTIME, "the write pause would pass --max-write-pause " + opt.maxWritePause().toMillis()
                    + " ms (" + during + ")");
        }
    }

    /** Counts rows that break foreign keys at the sink's position and keeps the result for status. */
    private Orphans.Report checkOrphans(Connection c) throws SQLException {
        Orphans.Report r = Orphans.check(c, schema);
        Orphans.store(c, schema, r);
        return r;
    }

    /**
     * In one transaction, inside the write pause and without scanning a table: identities moved past the copied
     * maxima, foreign keys in their final form ({@link ForeignKeysAtCutover}), and the key log of PostgreSQL's
     * writes from now on (for a rollback that keeps them). Returns the keys to validate after the flip.
     */
    private List<ForeignKey> finalSchema(Connection c, Orphans.Report orphans) throws SQLException {
        c.setAutoCommit(false);
        try {
            moveIdentities(c);
            List<ForeignKey> later = ForeignKeysAtCutover.settle(c, schema, orphans);
            PgChangeLog.install(c, schema);
            c.commit();
            return later;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Foreign keys put back NOT VALID are validated once the application runs on PostgreSQL (no write is blocked). */
    private void validateAfterFlip(Connection c, List<ForeignKey> keys) {
        try {
            ForeignKeysAtCutover.validate(c, schema, keys);
        } catch (SQLException e) {
            System.err.println("warning: the cutover is done, but validating foreign keys failed (" + e.getMessage() + "); they stay NOT VALID,"
                    + " checking new rows only: validate them later with ALTER TABLE ... VALIDATE CONSTRAINT ...");
        }
    }

    /**
     * Every column drawing from a sequence (identity columns of INTEGER PRIMARY KEYs and rowid carriers; serial columns of the application's own
     * tables) continues after both PostgreSQL's maximum and SQLite's AUTOINCREMENT mark.
     */
    private void moveIdentities(Connection c) throws SQLException {
        List<String[]> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.relname, a.attname, pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(t.relname), a.attname),"
                + " (SELECT source_table FROM replicator.snapshot_table st WHERE st.target_schema = n.nspname AND st.table_name = t.relname)"
                + " FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE n.nspname = ? AND t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) if (rs.getString(3) != null) ids.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
            }
        }
        for (String[] id : ids) {
            long sqliteMark = autoincrementMark(id[3]);
            try (PreparedStatement ps = c.prepareStatement("SELECT setval(?, GREATEST((SELECT coalesce(max(" + pg(id[1]) + "), 0) FROM " + pg(schema, id[0]) + "), ?, 1))")) {
                ps.setString(1, id[2]);
                ps.setLong(2, sqliteMark);
                ps.execute();
            }
        }
    }

    private long autoincrementMark(String sqliteTable) throws SQLException {
        if (sqliteTable == null) return 0;
        try (Connection s = source.openReadOnly(); Statement st = s.createStatement();
             ResultSet has = st.executeQuery("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'")) {
            if (!has.next()) return 0;
            try (PreparedStatement ps = s.prepareStatement("SELECT seq FROM sqlite_sequence WHERE name = ?")) {
                ps.setString(1, sqliteTable);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0;
                }
            }
        }
    }

    private void runHook(long finalSeq, long fencedAt) {
        try {
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", opt.hook()).inheritIO();
            pb.environment().put("REPLICATOR_CUTOVER_SEQ", Long.toString(finalSeq));
            pb.environment().put("REPLICATOR_SCHEMA", schema);
            Process p = pb.start();
            long left = Math.max(1, opt.maxWritePause().toMillis() - ms(fencedAt));
            if (!p.waitFor(left, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ReplicatorException(ExitCode.RUNTIME, "the hook did not finish within the write-pause budget");
            }
            if (p.exitValue() != 0) throw new ReplicatorException(ExitCode.RUNTIME, "the hook exited " + p.exitValue());
        } catch (IOException e) {
            throw new ReplicatorException(ExitCode.RUNTIME, "cannot run the hook: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicatorException(ExitCode.RUNTIME, "interrupted while the hook ran", e);
        }
    }

    private Result abort(Connection c, WriteFence fence, long finalSeq, long fencedAt, String reason, VerifyReport v, Orphans.Report orphans) {
        fence.lift();
        long pause = ms(fencedAt);
        try {
            CutoverState.record(c, schema, CutoverStatus.ABORTED, finalSeq, pause, reason);
        } catch (SQLException e) {
            reason = reason + " (and the abort could not be recorded: " + e.getMessage() + ")";
        }
        return new Result(false, finalSeq, pause, reason, v, orphans);
    }

    private static String differing(VerifyReport v) {
        return String.join(", ", v.tables().stream().filter(t -> !t.equal()).map(t -> t.source() + " (" + t.differingKeys() + " key(s))").toList());
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
