package io.replicator.sink;

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
import java.sql.PreparedStatement;
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
        if (e.ddl() == null) {
            if (pgName != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + pg(schema, pgName));
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM replicator.snapshot_table WHERE target_schema = ? AND source_table = ?")) {
                    ps.setString(1, schema);
                    ps.setString(2, e.table());
                    ps.executeUpdate();
                }
            }
            return;
        }
        TablePlan plan = plan(schema, e);
        TargetTable existing = pgName == null ? null : catalog.get(c, e.table());
        try (Statement s = c.createStatement()) {
            if (existing == null) {
                s.execute(DdlBuilder.createTable(schema, plan));
                for (IndexPlan ix : plan.indexes()) s.execute(ix.sql());
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO replicator.snapshot_table (target_schema, table_name, source_table, status, rows, bytes, seconds)"
                        + " VALUES (?, ?, ?, 'done', 0, 0, 0) ON CONFLICT (target_schema, table_name) DO UPDATE SET source_table = excluded.source_table")) {
                    ps.setString(1, schema);
                    ps.setString(2, plan.pgName());
                    ps.setString(3, e.table());
                    ps.executeUpdate();
                }
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

    /** The table as the snapshot would plan it, from its SQLite definition (an empty in-memory copy). */
    private static TablePlan plan(String schema, SinkEvent e) throws SQLException {
        try (Connection mem = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement s = mem.createStatement()) {
            for (String sql : e.ddl()) s.execute(sql);
            SourceSchema src = SchemaReader.read(mem);
            SqliteTable t = src.tables().stream().filter(x -> x.name().equals(e.table())).findFirst()
                    .orElseThrow(() -> new SQLException("the schema event of " + e.table() + " does not define it"));
            Plan p = Planner.plan(":memory:", mem, new SourceSchema(List.of(t), List.of(), List.of(), List.of()),
                    PlanOptions.of(schema, List.of(), "refuse"), true);
            return p.tables().get(0);
        }
    }
}
