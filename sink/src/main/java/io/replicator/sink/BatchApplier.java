package io.replicator.sink;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.ScaleRounding;
import io.replicator.core.codec.ValueConverter;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.types.PgType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies whole batches of events to PostgreSQL in one transaction together with the sink's position.
 * Inside, repeated changes to one key collapse to the last; deletes run before upserts (so a row replaced
 * through a UNIQUE column makes room first); rows are written with batched multi-row
 * {@code INSERT ... ON CONFLICT (key) DO UPDATE} and {@code DELETE ... WHERE key = ...}. No foreign key is checked
 * for the sink (ApplySession), so the order of tables does not matter; rows that swap a unique value are
 * handled without deferred constraints ({@link #upsertTable}).
 */
final class BatchApplier {
    private final TargetCatalog catalog;
    private final String schema;

    BatchApplier(TargetCatalog catalog) {
        this.catalog = catalog;
        this.schema = catalog.schema();
    }

    /** Starts a transaction's work: foreign keys and deferrable uniques are checked at commit. */
    static void begin(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET CONSTRAINTS ALL DEFERRED");
        }
    }

    /**
     * Applies events (in order) inside the open transaction; the caller commits at a consistent point. Returns
     * nothing: what PostgreSQL did per row (an upsert that changed nothing, a delete of a row already gone) is by
     * design not an error, so there is no count to check.
     */
    void apply(Connection c, List<SinkEvent> events) throws SQLException {
        List<SinkEvent> segment = new ArrayList<>();
        for (SinkEvent e : events) {
            if (e.isSchema()) {
                rows(c, segment);
                segment.clear();
                SchemaApplier.apply(c, catalog, e);
            } else if (e.isRow()) {
                segment.add(e);
            }
        }
        rows(c, segment);
    }

    /** Applies row events (no schema change among them): the last event per key wins. */
    private void rows(Connection c, List<SinkEvent> events) throws SQLException {
        Map<String, LinkedHashMap<List<SqliteValue>, SinkEvent>> last = new LinkedHashMap<>();
        for (SinkEvent e : events) last.computeIfAbsent(e.table(), t -> new LinkedHashMap<>()).put(List.copyOf(e.key().values()), e);
        for (Map.Entry<String, LinkedHashMap<List<SqliteValue>, SinkEvent>> t : last.entrySet()) {
            TargetTable target = target(c, t.getKey());
            List<SinkEvent> dels = t.getValue().values().stream().filter(SinkEvent::isDelete).toList();
            if (!dels.isEmpty()) deletes(c, target, dels);
        }
        for (Map.Entry<String, LinkedHashMap<List<SqliteValue>, SinkEvent>> t : last.entrySet()) {
            TargetTable target = target(c, t.getKey());
            Map<List<String>, List<SinkEvent>> byShape = new LinkedHashMap<>();
            for (SinkEvent e : t.getValue().values()) {
                if (!e.isDelete()) byShape.computeIfAbsent(List.copyOf(e.after().keySet()), k -> new ArrayList<>()).add(e);
            }
            upsertTable(c, target, byShape);
        }
    }

    /**
     * Upserts a table's rows. Its UNIQUE constraints are NOT DEFERRABLE (the application's framework needs them so),
     * so rows of one batch that swap a unique value (SQLite applied them one statement at a time) may collide
     * halfway through a multi-row upsert: on a unique violation the table's upserts are undone (a savepoint) and done
     * again as deletes of those keys followed by inserts. Nothing fires on those deletes (ApplySession), and the end
     * state is the batch's; a violation then is a state SQLite holds and PostgreSQL refuses (thrown).
     */
    private void upsertTable(Connection c, TargetTable target, Map<List<String>, List<SinkEvent>> byShape) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            for (Map.Entry<List<String>, List<SinkEvent>> shape : byShape.entrySet()) upserts(c, target, shape.getKey(), shape.getValue());
            c.releaseSavepoint(sp);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(sqlState(e))) throw e;
            c.rollback(sp);
            List<SinkEvent> all = new ArrayList<>();
            for (List<SinkEvent> rows : byShape.values()) all.addAll(rows);
            deletes(c, target, all);
            for (Map.Entry<List<String>, List<SinkEvent>> shape : byShape.entrySet()) upserts(c, target, shape.getKey(), shape.getValue());
        }
    }

    private static final String UNIQUE_VIOLATION = "23505";

    /** The SQLState of a failure, looking past a batch's wrapper to the server's error. */
    private static String sqlState(SQLException e) {
        SQLException next = e.getNextException();
        return next != null && next.getSQLState() != null ? next.getSQLState() : e.getSQLState();
    }

    private TargetTable target(Connection c, String table) throws SQLException {
        TargetTable t = catalog.get(c, table);
        if (t == null) {
            throw new ReplicatorException(ExitCode.BAD_CONFIG, "the stream has rows of table " + table + ", which has no table in schema " + schema
                    + " (the snapshot did not copy it, and no schema event created it). Take a new snapshot");
        }
        return t;
    }

    private void deletes(Connection c, TargetTable t, List<SinkEvent> dels) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(t.delete())) {
            for (SinkEvent e : dels) {
                int i = 1;
                for (Map.Entry<String, SqliteValue> k : e.key().entrySet()) {
                    String col = column(t, e, k.getKey());
                    Binder.bind(ps, i++, convert(t, e, col, k.getValue()));
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void upserts(Connection c, TargetTable t, List<String> sqliteCols, List<SinkEvent> rows) throws SQLException {
        List<String> pgCols = new ArrayList<>();
        for (String s : sqliteCols) pgCols.add(column(t, rows.get(0), s));
        try (PreparedStatement ps = c.prepareStatement(t.upsert(pgCols))) {
            for (SinkEvent e : rows) {
                int i = 1;
                for (int k = 0; k < sqliteCols.size(); k++) Binder.bind(ps, i++, convert(t, e, pgCols.get(k), e.after().get(sqliteCols.get(k))));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private String column(TargetTable t, SinkEvent e, String sqliteColumn) {
        String col = TargetCatalog.column(t, sqliteColumn);
        if (col == null) {
            throw new ReplicatorException(ExitCode.BAD_CONFIG, "table " + e.table() + " in SQLite has column " + sqliteColumn + ", which "
                    + t.qualified() + " lacks (changelog seq " + e.source().seq() + "). Was a schema change missed? Take a new snapshot");
        }
        return col;
    }

    private Object convert(TargetTable t, SinkEvent e, String pgColumn, SqliteValue v) {
        try {
            PgType type = t.columns.get(pgColumn);
            return t.roundedToScale.contains(pgColumn) ? ScaleRounding.from(type, v, t.rounding) : ValueConverter.from(type, v);
        } catch (ConversionException ex) {
            throw new PoisonEvent(e, "table " + e.table() + ", column " + pgColumn + ", key " + e.key().values() + ": the value " + v + " "
                    + ex.getMessage() + " (PostgreSQL column " + t.qualified() + "." + pgColumn + " is " + t.columns.get(pgColumn).sql()
                    + "; changelog seq " + e.source().seq() + ")");
        }
    }

    /** An event that can never be applied as is: the operator must change the mapping (or let it go to the dead-letter topic). */
    static final class PoisonEvent extends ReplicatorException {
        final transient SinkEvent event;

        PoisonEvent(SinkEvent event, String message) {
            super(ExitCode.DATA_LOSS, message);
            this.event = event;
        }
    }
}
