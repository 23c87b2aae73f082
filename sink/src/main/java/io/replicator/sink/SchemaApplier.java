package io.replicator.sink;

import io.replicator.state.SnapshotState;
import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.model.SqliteTable;
import io.replicator.translate.plan.ColumnPlan;
import io.replicator.translate.plan.DdlBuilder;
import io.replicator.translate.plan.IndexPlan;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.Planner;
import io.replicator.translate.plan.TablePlan;
import io.replicator.translate.schema.SchemaReader;
import io.replicator.translate.schema.SourceSchema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static io.replicator.core.Identifiers.pg;

/**
 * Carries a schema event to PostgreSQL, in the transaction of its batch. The event holds the SQLite table's
 * definition as it is now; the sink translates it with the snapshot's own planner (declared types taken on
 * trust, every later value still converted exactly or refused): a missing table is created with its keys and
 * indexes, missing columns are added (with the translated default, which PostgreSQL gives existing rows just
 * as SQLite does), a gone table is dropped.
 */
final class SchemaApplier {
    private SchemaApplier() {}

    static void apply(Connection c, TargetCatalog catalog, SinkEvent e) throws SQLException {
        String schema = catalog.schema();
        String pgName = catalog.pgName(c, e.table());
        catalog.forget(e.table());
        PlanOptions options = options(c, schema);
        if (options.intoExisting()) {
            ExistingSchemaChange.apply(c, catalog, e, options);
            return;
        }
        if (e.ddl() == null) {
            if (pgName != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + pg(schema, pgName));
                }
                SnapshotState.tableDropped(c, schema, e.table());
            }
            return;
        }
        TablePlan plan = plan(schema, e, options);
        TargetTable existing = pgName == null ? null : catalog.get(c, e.table());
        try (Statement s = c.createStatement()) {
            if (existing == null) {
                s.execute(DdlBuilder.createTable(schema, plan));
                for (IndexPlan ix : plan.indexes()) s.execute(ix.sql());
                SnapshotState.tableAdded(c, schema, plan.pgName(), e.table());
            } else {
                for (ColumnPlan col : plan.columns()) {
                    if (TargetCatalog.column(existing, col.source().name()) != null) continue;
                    if (col.source().defaultSql() != null && col.pgDefault() == null) {
                        throw new ReplicatorException(ExitCode.DATA_LOSS, "table " + e.table() + ": added column " + col.source().name()
                                + " has the default " + col.source().defaultSql() + ", which has no exact PostgreSQL form; existing rows would"
                                + " differ. Take a new snapshot (bin/replicator snapshot --drop ...)");
                    }
                    s.execute("ALTER TABLE " + pg(schema, existing.name) + " ADD COLUMN " + pg(col.pgName()) + " " + col.type().sql()
                            + (col.pgDefault() != null ? " DEFAULT " + col.pgDefault() : ""));
                }
            }
        }
        catalog.forget(e.table());
    }

    /** The translation options the schema's snapshot was taken with (--type, --on-type-conflict): tables and columns added later follow them too. */
    private static PlanOptions options(Connection c, String schema) throws SQLException {
        SnapshotState.Run run = SnapshotState.existingRun(c, schema);
        return PlanOptions.fromJson(schema, run == null ? null : run.optionsJson());
    }

    /** The table as the snapshot would plan it, from its SQLite definition (an empty in-memory copy). */
    static TablePlan plan(String schema, SinkEvent e, PlanOptions options) throws SQLException {
        try (Connection mem = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement s = mem.createStatement()) {
            for (String sql : e.ddl()) s.execute(sql);
            SourceSchema src = SchemaReader.read(mem);
            SqliteTable t = src.tables().stream().filter(x -> x.name().equals(e.table())).findFirst()
                    .orElseThrow(() -> new SQLException("the schema event of " + e.table() + " does not define it"));
            Plan p = Planner.plan(":memory:", mem, new SourceSchema(List.of(t), List.of(), List.of(), List.of()),
                    options, true);
            return p.tables().get(0);
        }
    }
}
