package io.replicator.snapshot.load;

import io.replicator.core.CaptureNames;
import io.replicator.core.ReplicatorException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The capture changelog's high-water mark as the snapshot saw it. Read in the snapshot's own SQLite read
 * transaction, so every change logged after it is a change the copy does not hold: the stream starts there.
 * Null when capture is not installed (nothing to hand over).
 */
final class ChangelogMark {
    private ChangelogMark() {}

    /** {@code max(seq)} of the changelog (0 when empty) as seen by {@code r0}, or null without a changelog. */
    static Long read(Connection r0) {
        try (Statement s = r0.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM sqlite_schema WHERE type='table' AND name='" + CaptureNames.CHANGELOG + "'")) {
            if (!rs.next()) return null;
        } catch (SQLException e) {
            return null;
        }
        try (Statement s = r0.createStatement(); ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM " + CaptureNames.CHANGELOG)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the capture changelog's high-water mark: " + e.getMessage(), e);
        }
    }
}
