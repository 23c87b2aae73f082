package io.replicator.snapshot.load;

import io.replicator.core.types.PgType;

import io.replicator.core.DataLossException;
import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.PgBinaryRowWriter;
import io.replicator.core.codec.SqliteValueReader;
import io.replicator.translate.plan.ColumnPlan;
import io.replicator.translate.plan.TablePlan;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.PGCopyOutputStream;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

import static io.replicator.core.Identifiers.pg;

/**
 * Streams one table from a SQLite read transaction into PostgreSQL with binary COPY. Rows flow through a
 * fixed buffer: memory does not grow with the table. Every value goes through the lossless converter; the
 * first value that cannot move exactly stops the copy with a {@link DataLossException} naming the row.
 */
public final class TableCopier {
    /** COPY buffer; large enough to amortise round trips, small enough to keep memory flat. */
    private static final int BUFFER_BYTES = 1 << 20;
    /** Progress and cancellation are checked this often (rows). */
    private static final int CHECK_EVERY = 4096;

    public record Result(long rows, long bytes) {}

    private TableCopier() {}

    public static Result copy(Connection sqlite, Connection pgConn, String schema, TablePlan t, LongConsumer progress, AtomicBoolean cancelled)
            throws SQLException, IOException {
        int offset = t.rowidOffset();
        int n = t.columns().size();
        int[] keyIdx = keyIndexes(t, offset);
        String copySql = "COPY " + pg(schema, t.pgName()) + " (" + String.join(", ", t.pgColumns()) + ") FROM STDIN (FORMAT binary)";
        CopyIn copyIn = pgConn.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        long rows = 0;
        boolean ok = false;
        try (Statement st = sqlite.createStatement();
             ResultSet rs = st.executeQuery(t.sqliteSelect())) {
            PGCopyOutputStream stream = new PGCopyOutputStream(copyIn);
            PgBinaryRowWriter w = new PgBinaryRowWriter(stream, BUFFER_BYTES);
            w.writeHeader();
            int fields = n + offset;
            while (rs.next()) {
                w.startRow(fields);
                if (offset == 1) w.write(PgType.BIGINT, rs.getLong(1));
                for (int i = 0; i < n; i++) {
                    ColumnPlan c = t.columns().get(i);
                    Object v;
                    try {
                        v = c.roundsToScale() ? c.convert(SqliteValueReader.value(rs, i + 1 + offset)) : SqliteValueReader.read(rs, i + 1 + offset, c.type());
                        if (v == null && c.refusesNull()) throw new ConversionException("is NULL, which the application's NOT NULL column refuses");
                    } catch (ConversionException e) {
                        if (c.mapping().assumed()) {
                            throw new AssumptionFailed(c.source().name(), rowKey(rs, t, keyIdx) + ": " + SqliteValueReader.display(rs, i + 1 + offset)
                                    + " " + e.getMessage());
                        }
                        throw new DataLossException(t.source().name(), c.source().name(), rowKey(rs, t, keyIdx), SqliteValueReader.display(rs, i + 1 + offset),
                                e.getMessage() + " (target column " + c.pgName() + " " + c.type().sql() + ")", advice(t, c));
                    }
                    w.write(c.type(), v);
                }
                if (++rows % CHECK_EVERY == 0) {
                    progress.accept(CHECK_EVERY);
                    if (cancelled.get() || Thread.currentThread().isInterrupted()) throw new CancelledException();
                }
            }
            w.writeTrailer();
            long bytes = w.bytesWritten();
            stream.endCopy();
            progress.accept(rows % CHECK_EVERY);
            ok = true;
            return new Result(rows, bytes);
        } finally {
            if (!ok && copyIn.isActive()) {
                try {
                    copyIn.cancelCopy();
                } catch (SQLException ignored) {
                    // the transaction is rolled back by the caller anyway
                }
            }
        }
    }

    private static String advice(TablePlan t, ColumnPlan c) {
        if (c.existing()) {
            return "Nothing of this table was committed. The column is the application's: change it with a migration of the application, or fix the"
                    + " row in SQLite ('replicator plan --into-existing' lists every such value)";
        }
        return "Nothing of this table was committed. Choose a type that holds it with --type " + t.source().name() + "." + c.source().name()
                + (c.type().kind() == PgType.Kind.TEXT ? "=bytea (text cannot hold it; bytea keeps the raw bytes exactly)" : "=TYPE (e.g. text or bytea)")
                + ", or fix the row in SQLite";
    }

    /** Thrown when another worker failed and this copy must stop; the caller rolls back. */
    public static final class CancelledException extends RuntimeException {
        CancelledException() {
            super("cancelled", null, false, false);
        }
    }

    /**
     * A value does not fit the type assumed from the column's declared type. Not a loss: the caller rolls
     * the table back, decides its types from a full profile, and copies it again.
     */
    public static final class AssumptionFailed extends RuntimeException {
        private final String column;

        AssumptionFailed(String column, String firstValue) {
            super(firstValue, null, false, false);
            this.column = column;
        }

        public String column() {
            return column;
        }
    }

    private static int[] keyIndexes(TablePlan t, int offset) {
        if (t.rowidPgColumn() != null) return new int[] {1};
        int[] idx = new int[t.keyPgColumns().size()];
        for (int k = 0; k < idx.length; k++) {
            for (int i = 0; i < t.columns().size(); i++) {
                if (t.columns().get(i).pgName().equals(t.keyPgColumns().get(k))) idx[k] = i + 1 + offset;
            }
        }
        return idx;
    }

    private static String rowKey(ResultSet rs, TablePlan t, int[] keyIdx) throws SQLException {
        List<String> parts = new ArrayList<>();
        List<String> names = t.rowidPgColumn() != null ? List.of("rowid") : t.source().primaryKey();
        for (int k = 0; k < keyIdx.length; k++) parts.add(names.get(k) + "=" + SqliteValueReader.display(rs, keyIdx[k]));
        return String.join(", ", parts);
    }
}
