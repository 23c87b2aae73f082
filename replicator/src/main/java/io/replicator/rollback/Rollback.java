package io.replicator.rollback;

import io.replicator.core.sqlite.SqliteWriteLock;

import io.replicator.state.CutoverStatus;
import io.replicator.capture.WriteFence;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.translate.types.ConflictPolicy;
import io.replicator.core.types.PgType;
import io.replicator.state.CutoverState;
import io.replicator.translate.plan.ColumnPlan;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.Planner;
import io.replicator.translate.plan.TablePlan;
import io.replicator.translate.schema.PgCatalog;
import io.replicator.translate.schema.SchemaReader;
import io.replicator.core.sqlite.SqliteSource;
import io.replicator.verify.Verifier;
import io.replicator.verify.VerifyReport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The way back after a cutover: the application returns to SQLite with every write it made to PostgreSQL.
 * <ol>
 *   <li>fences PostgreSQL (its writes are refused from here on, and every write that got through is in the key log);</li>
 *   <li>in one SQLite write transaction: drops SQLite's fence, writes back each logged key's current PostgreSQL row
 *       (or deletes it), puts the fence up again — so the application never sees half of it;</li>
 *   <li>compares both sides in full;</li>
 *   <li>equal: lifts SQLite's fence and records "rolled back" (PostgreSQL stays fenced). Not equal: lifts
 *       PostgreSQL's fence instead, so the application goes on on PostgreSQL, and says what differs.</li>
 * </ol>
 * Running it again after a crash redoes it from the start: writing back is idempotent.
 */
public final class Rollback {
    public record Result(boolean done, long pgLogSeq, long rowsWritten, long rowsDeleted, long writePauseMs, String reason, VerifyReport verify) {}

    private final SqliteSource source;
    private final PostgresUrl target;
    private final String schema;

    public Rollback(SqliteSource source, PostgresUrl target, String schema) {
        this.source = source;
        this.target = target;
        this.schema = schema;
    }

    public Result run() {
        try (Connection pgc = target.connect("replicator-rollback")) {
            CutoverStatus status = CutoverState.status(pgc, schema);
            if (status != CutoverStatus.DONE && status != CutoverStatus.ROLLING_BACK) {
                throw ReplicatorException.config("schema " + schema + " has no cutover to roll back (status: " + (status == null ? "none" : status)
                        + "); SQLite is still the application's database" + (status == CutoverStatus.ABORTED ? " (the cutover was aborted)" : ""));
            }
            if (!PgChangeLog.installed(pgc, schema)) {
                throw ReplicatorException.config("the cutover of schema " + schema + " left no key log in PostgreSQL (" + PgChangeLog.TABLE
                        + "), so what the application wrote there since cannot be known. If it wrote nothing, `bin/replicator cutover"
                        + " --lift-fence ...` makes SQLite writable again; otherwise copy those writes back by hand");
            }
            long fencedAt = System.nanoTime();
            pgc.setAutoCommit(false);
            long pgSeq = PgChangeLog.fence(pgc, schema, "this database has moved back to SQLite (" + source.path()
                    + "): writes are refused since the replicator's rollback");
            CutoverState.record(pgc, schema, CutoverStatus.ROLLING_BACK, null, null, "PostgreSQL fenced at key log seq " + pgSeq);
            pgc.commit();
            pgc.setAutoCommit(true);

            try {
                long[] counts = writeBack(pgc);
                VerifyReport v = new Verifier(source, target, schema, 10).run();
                long pause = (System.nanoTime() - fencedAt) / 1_000_000;
                if (!v.equal()) {
                    PgChangeLog.unfence(pgc, schema);
                    String reason = "after writing back, SQLite and PostgreSQL still differ in " + String.join(", ",
                            v.tables().stream().filter(t -> !t.equal()).map(t -> t.source() + " (" + t.differingKeys() + " key(s))").toList());
                    CutoverState.record(pgc, schema, CutoverStatus.DONE, null, null, "rollback aborted: " + reason);
                    return new Result(false, pgSeq, counts[0], counts[1], pause, reason + "; PostgreSQL's fence is lifted: the application"
                            + " stays on PostgreSQL, SQLite stays fenced", v);
                }
                new WriteFence(source).lift();
                CutoverState.record(pgc, schema, CutoverStatus.ROLLED_BACK, null, pause, "PostgreSQL fenced; its writes up to key log seq " + pgSeq + " are in SQLite");
                return new Result(true, pgSeq, counts[0], counts[1], pause, null, v);
            } catch (SQLException | RuntimeException e) {
                // PostgreSQL stays the application's database: lift its fence; SQLite stays fenced
                PgChangeLog.unfence(pgc, schema);
                CutoverState.record(pgc, schema, CutoverStatus.DONE, null, null, "rollback aborted: " + e.getMessage());
                throw e;
            }
        } catch (SQLException e) {
            throw ReplicatorException.runtime("rollback: " + e.getMessage() + " (run it again: it starts over and changes nothing twice)", e);
        }
    }

    /** One SQLite write transaction: the fence down, every changed key written back, the fence up again. */
    private long[] writeBack(Connection pgc) throws SQLException {
        Map<String, Boolean> changed = PgChangeLog.changedTables(pgc, schema);
        long written = 0, deleted = 0;
        try (Connection sq = source.openWritable(); Statement s = sq.createStatement()) {
            SqliteWriteLock.begin(sq, source, "write PostgreSQL's changes back into");
            try {
                Plan plan = Planner.plan(source.path().toString(), sq, SchemaReader.read(sq),
                        new PlanOptions(schema, Map.of(), ConflictPolicy.WIDEN), true);
                WriteFence.dropTriggers(sq);
                for (TablePlan t : plan.tables()) {
                    Boolean whole = changed.get(t.pgName());
                    if (whole == null) continue;
                    long[] n = new SqliteWriteBack(t, types(pgc, t), schema).apply(pgc, sq, schema, whole);
                    written += n[0];
                    deleted += n[1];
                }
                WriteFence.createTriggers(sq, "this database is being rolled back from PostgreSQL: writes are refused until it is done");
                s.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                s.execute("ROLLBACK");
                throw e;
            }
        }
        return new long[] {written, deleted};
    }

    private List<PgType> types(Connection pgc, TablePlan t) throws SQLException {
        Map<String, PgType> pgTypes = PgCatalog.columnTypes(pgc, schema, t.pgName(), PgType.TEXT);
        List<PgType> out = new ArrayList<>();
        for (ColumnPlan c : t.columns()) {
            PgType ty = pgTypes.get(c.pgName());
            if (ty == null) throw ReplicatorException.config("PostgreSQL table " + schema + "." + t.pgName() + " has no column " + c.pgName()
                    + " any more; a rollback writes back the columns SQLite has");
            out.add(ty);
        }
        return out;
    }
}
