package io.replicator.capture;

import io.replicator.core.ReplicatorException;
import io.replicator.core.sqlite.SqliteSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What capture holds in the SQLite file now, read in one short read transaction.
 *
 * @param captureId     null when capture is not installed (then the other fields are 0)
 * @param capturedSeq   the newest changelog position: every committed change up to here is logged
 * @param changelogRows rows in the changelog (published rows are pruned after the retention window)
 * @param oldestSeq     the oldest position still in the changelog
 */
public record CaptureStatus(String captureId, int tables, long capturedSeq, long changelogRows, long oldestSeq) {

    public boolean installed() {
        return captureId != null;
    }

    public static CaptureStatus read(SqliteSource source) {
        try (Connection c = source.openReadOnly(); Statement s = c.createStatement()) {
            s.execute("BEGIN");
            try {
                String id = CaptureInstaller.captureId(c);
                if (id == null) return new CaptureStatus(null, 0, 0, 0, 0);
                int tables;
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + CaptureSchema.CAPTURED)) {
                    rs.next();
                    tables = rs.getInt(1);
                }
                try (ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0), count(*), coalesce(min(seq), 0) FROM " + CaptureSchema.CHANGELOG)) {
                    rs.next();
                    return new CaptureStatus(id, tables, rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            } finally {
                s.execute("COMMIT");
            }
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read capture status of " + source.path() + ": " + e.getMessage(), e);
        }
    }
}
