package io.replicator.feed;

import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.codec.Utf8;
import io.replicator.core.model.StorageClass;

import io.replicator.capture.CaptureInstaller;
import io.replicator.capture.CaptureSchema;
import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import io.replicator.core.model.SqliteTable;
import io.replicator.translate.schema.SchemaReader;
import io.replicator.translate.schema.SourceSchema;
import io.replicator.core.sqlite.SqliteSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the changelog in batches. Each batch is one SQLite read transaction: the changelog slice and the
 * current rows of every key it names come from the same instant, so a batch is a consistent picture.
 * <p>Cheap when idle: {@code PRAGMA data_version} tells whether anyone committed since the last look.
 * Loud when something is wrong: a gap in the changelog, capture removed, a VACUUM that renumbered rowids.
 */
final class ChangelogReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogReader.class);

    private final SqliteSource source;
    private final int maxRows;
    private final Connection c;
    private final PreparedStatement slice;
    private final RowidCanaries canaries = new RowidCanaries();
    private Map<String, CapturedTable> tables = Map.of();
    private long loadedSchemaVersion = -1;
    private long lastDataVersion = Long.MIN_VALUE;
    private boolean more = true;

    ChangelogReader(SqliteSource source, int maxRows) {
        this.source = source;
        this.maxRows = maxRows;
        this.c = source.openReadOnly();
        try {
            requireCapture();
            StringBuilder sql = new StringBuilder("SELECT seq, tbl, op");
            for (int i = 1; i <= CaptureSchema.MAX_KEY_COLUMNS; i++) sql.append(", k").append(i);
            this.slice = c.prepareStatement(sql.append(" FROM ").append(CaptureSchema.CHANGELOG).append(" WHERE seq > ? ORDER BY seq LIMIT ?").toString());
        } catch (SQLException e) {
            closeQuietly();
            throw ReplicatorException.runtime("cannot read the changelog of " + source.path() + ": " + e.getMessage(), e);
        }
    }

    /** The capture id recorded at install; part of the feed's position so a reinstall starts a new stream. */
    String captureId() {
        try {
            return CaptureInstaller.captureId(c);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read capture metadata of " + source.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The next batch after position {@code after}, or null when nothing was committed since the last look.
     * A batch may hold no events (its changelog rows named only tables that are gone); it still advances.
     */
    Batch next(long after) {
        try {
            long dv = dataVersion();
            if (!more && dv == lastDataVersion) return null;
            Batch b = read(after);
            if (b == null) return next(after); // capture was refreshed for a schema change: read again
            lastDataVersion = dv;
            return b;
        } catch (SQLException e) {
            rollbackQuietly();
            if (e.getMessage() != null && e.getMessage().contains("no such table: " + CaptureSchema.CHANGELOG)) {
                throw new ReplicatorException(ExitCode.BAD_CONFIG, "change capture was removed from " + source.path()
                        + " (uninstall?) while the feed was at position " + after + ": later changes cannot be known."
                        + " Install capture again and take a new snapshot (bin/replicator snapshot --drop ...)");
            }
            throw ReplicatorException.runtime("reading the changelog of " + source.path() + " after position " + after + " failed: " + e.getMessage(), e);
        }
    }

    private Batch read(long after) throws SQLException {
        exec("BEGIN");
        try {
            long max = scalar("SELECT coalesce(max(seq), 0) FROM " + CaptureSchema.CHANGELOG);
            long schemaVersion = scalar("PRAGMA schema_version");
            long captured = scalar("SELECT coalesce((SELECT value FROM " + CaptureSchema.META + " WHERE name = 'schema_version'), -1)");
            if (schemaVersion != captured) {
                exec("COMMIT");
                List<String> changes = new CaptureInstaller(source).refresh();
                LOG.info("schema of {} changed: {}", source.path(), changes.isEmpty() ? "no table capture follows changed" : String.join("; ", changes));
                return null;
            }
            if (schemaVersion != loadedSchemaVersion) {
                load();
                loadedSchemaVersion = schemaVersion;
            }
            if (max < after) {
                throw new ReplicatorException(ExitCode.BAD_CONFIG, "the changelog of " + source.path() + " ends at seq " + max
                        + " but the feed already published up to " + after + ": capture was reinstalled or the file replaced."
                        + " Take a new snapshot (bin/replicator snapshot --drop ...) and start the feed again");
            }
            Batch b = slice(after, max);
            exec("COMMIT");
            return b;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /** The changelog after {@code after}, at most {@code maxRows}; complete when it reaches {@code max}, the end in this read transaction. */
    private Batch slice(long after, long max) throws SQLException {
        long readAt = System.currentTimeMillis();
        Map<String, Long> schemaChanges = new LinkedHashMap<>();
        Map<String, LinkedHashMap<List<SqliteValue>, long[]>> dirty = new LinkedHashMap<>(); // key -> {lastSeq, firstIsInsert}
        long upTo = after;
        int n = 0;
        slice.setLong(1, after);
        slice.setInt(2, maxRows);
        try (ResultSet rs = slice.executeQuery()) {
            while (rs.next()) {
                long seq = rs.getLong(1);
                if (seq != upTo + 1) {
                    throw new ReplicatorException(ExitCode.DATA_LOSS, "the changelog of " + source.path() + " has a gap: after seq " + upTo
                            + " comes " + seq + ". Entries " + (upTo + 1) + ".." + (seq - 1) + " were deleted before the feed published them"
                            + " (pruned by another feed, or edited by hand). PostgreSQL cannot be brought in step from here: take a new snapshot");
                }
                upTo = seq;
                n++;
                String tbl = rs.getString(2);
                String op = rs.getString(3);
                if (op.equals(CaptureSchema.OP_SCHEMA)) {
                    schemaChanges.put(tbl, seq);
                    continue;
                }
                CapturedTable t = tables.get(tbl);
                int width = t == null ? 0 : t.keyFields.size();
                List<SqliteValue> key = new ArrayList<>(width);
                for (int i = 0; i < width; i++) key.add(keyValue(rs, 4 + i, tbl, seq));
                long[] d = dirty.computeIfAbsent(tbl, x -> new LinkedHashMap<>()).get(key);
                if (d == null) dirty.get(tbl).put(key, new long[] {seq, op.equals("I") ? 1 : 0});
                else d[0] = seq;
            }
        }
        more = upTo < max; // a batch that reached the end of what this transaction sees is complete even when it hit the size limit
        List<Change> out = new ArrayList<>();
        for (Map.Entry<String, Long> s : schemaChanges.entrySet()) out.add(schemaEvent(s.getKey(), s.getValue()));
        List<Change> rows = new ArrayList<>();
        for (Map.Entry<String, LinkedHashMap<List<SqliteValue>, long[]>> e : dirty.entrySet()) {
            CapturedTable t = tables.get(e.getKey());
            if (t == null) continue; // the table is gone: its schema event says so
            for (Map.Entry<List<SqliteValue>, long[]> k : e.getValue().entrySet()) {
                List<SqliteValue> row = t.read(k.getKey());
                String op = row == null ? ChangeEventFormat.OP_DELETE : k.getValue()[1] == 1 ? ChangeEventFormat.OP_CREATE : ChangeEventFormat.OP_UPDATE;
                rows.add(new Change(t.name(), op, k.getValue()[0], t.keyFields, k.getKey(), t.fields, row, null));
            }
        }
        rows.sort(Comparator.comparingLong(Change::seq));
        out.addAll(rows);
        if (!more) canaries.check(tables.values(), dirty.keySet(), source.path().toString());
        else canaries.forget(dirty.keySet());
        return new Batch(after, upTo, out, readAt, !more);
    }

    private SqliteValue keyValue(ResultSet rs, int col, String table, long seq) throws SQLException {
        SqliteValue v = SqliteValueReader.value(rs, col);
        if (v.storageClass() == StorageClass.TEXT && !ChangeEventFormat.wellFormed(v.asBytes())) {
            throw new ReplicatorException(ExitCode.DATA_LOSS, "table " + table + ": a key value is text that is not valid UTF-8 ("
                    + Utf8.hex(v.asBytes(), 32) + ", changelog seq " + seq + "); the feed cannot look that row up exactly."
                    + " Map the column to bytea in a new snapshot, or fix the value in SQLite");
        }
        return v;
    }

    /** The table's definition as SQLite holds it now: CREATE TABLE then its CREATE INDEX statements. */
    private Change schemaEvent(String table, long seq) throws SQLException {
        List<String> ddl = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('table', 'index') AND sql IS NOT NULL"
                + " ORDER BY type = 'index', name")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ddl.add(rs.getString(1));
            }
        }
        return new Change(table, ChangeEventFormat.OP_SCHEMA, seq, List.of(), List.of(), List.of(), null, ddl.isEmpty() ? null : ddl);
    }

    /** Loads the captured tables as the current read transaction sees them. */
    private void load() throws SQLException {
        for (CapturedTable t : tables.values()) t.close();
        SourceSchema schema = SchemaReader.read(c);
        Map<String, SqliteTable> byName = new HashMap<>();
        for (SqliteTable t : schema.tables()) byName.put(t.name(), t);
        Map<String, CapturedTable> next = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT tbl, key_kind, key_columns FROM " + CaptureSchema.CAPTURED)) {
            while (rs.next()) {
                SqliteTable t = byName.get(rs.getString(1));
                if (t != null) next.put(t.name(), new CapturedTable(c, t, rs.getString(2), List.of(rs.getString(3).split(",", -1))));
            }
        }
        tables = next;
        canaries.retain(next.keySet());
    }

    private void requireCapture() throws SQLException {
        if (CaptureInstaller.captureId(c) == null) {
            throw ReplicatorException.config("change capture is not installed in " + source.path() + ": run bin/replicator install --sqlite "
                    + source.path() + " before the snapshot, then stream");
        }
    }

    private long dataVersion() throws SQLException {
        return scalar("PRAGMA data_version");
    }

    private long scalar(String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void exec(String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private void rollbackQuietly() {
        try {
            if (!c.getAutoCommit()) return;
            exec("ROLLBACK");
        } catch (SQLException ignored) {
            // not in a transaction
        }
    }

    private void closeQuietly() {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        for (CapturedTable t : tables.values()) {
            try {
                t.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
        closeQuietly();
    }
}
