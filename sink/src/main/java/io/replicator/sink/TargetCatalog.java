package io.replicator.sink;

import io.replicator.translate.schema.RowIdentity;

import io.replicator.state.SnapshotState;
import io.replicator.translate.schema.PgCatalog;
import io.replicator.core.ExitCode;
import io.replicator.core.Identifiers;
import io.replicator.core.ReplicatorException;
import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.types.PgType;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.Planner;
import io.replicator.translate.schema.PgCatalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which PostgreSQL table holds each SQLite table (as the snapshot recorded in {@code replicator.snapshot_table})
 * and what its columns are (from PostgreSQL's catalog). Reloaded for a table after a schema change.
 */
final class TargetCatalog {
    private final String schema;
    private final Map<String, TargetTable> tables = new HashMap<>();

    TargetCatalog(String schema) {
        this.schema = schema;
    }

    String schema() {
        return schema;
    }

    /** After a rollback: what the catalog learned inside the transaction may be gone. */
    void clear() {
        tables.clear();
    }

    void forget(String sqliteTable) {
        tables.remove(sqliteTable);
    }

    /** The target of a SQLite table, or null when there is none (never snapshotted, or dropped). */
    TargetTable get(Connection c, String sqliteTable) throws SQLException {
        TargetTable t = tables.get(sqliteTable);
        if (t != null) return t;
        String pgName = pgName(c, sqliteTable);
        if (pgName == null) return null;
        t = load(c, sqliteTable, pgName);
        if (t != null) tables.put(sqliteTable, t);
        return t;
    }

    String pgName(Connection c, String sqliteTable) throws SQLException {
        return SnapshotState.tableFor(c, schema, sqliteTable);
    }

    private TargetTable load(Connection c, String sqliteTable, String pgName) throws SQLException {
        Map<String, PgType> cols = PgCatalog.columnTypes(c, schema, pgName, null);
        if (cols.isEmpty()) return null;
        List<String> key = PgCatalog.keyColumns(c, schema, pgName).getOrDefault(pgName, List.of());
        if (key.isEmpty()) {
            throw new ReplicatorException(ExitCode.BAD_CONFIG, "table " + Identifiers.pg(schema, pgName) + " has no primary key and no "
                    + RowIdentity.ROWID_COLUMN + " column, so the sink cannot tell its rows apart; was it created by the snapshot?");
        }
        SnapshotState.Run run = SnapshotState.existingRun(c, schema);
        PlanOptions options = PlanOptions.fromJson(schema, run == null ? null : run.optionsJson());
        Set<String> rounded = new HashSet<>();
        for (Map.Entry<String, PgType> col : cols.entrySet()) {
            if (options.roundsToScale(sqliteTable, col.getKey()) && ScaleRounding.applies(col.getValue())) rounded.add(col.getKey());
        }
        return new TargetTable(schema, pgName, cols, key, rounded, options.decimalRounding());
    }

    /** The PostgreSQL column holding a SQLite column: the same name, or the name cut to 63 bytes. */
    static String column(TargetTable t, String sqliteColumn) {
        if (t.columns.containsKey(sqliteColumn)) return sqliteColumn;
        String cut = Identifiers.truncateUtf8(sqliteColumn, Identifiers.PG_MAX_BYTES);
        return t.columns.containsKey(cut) ? cut : null;
    }
}
