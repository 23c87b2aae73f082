package io.replicator.verify;

import io.replicator.core.PostgresErrors;

import io.replicator.core.CaptureNames;
import io.replicator.core.ExitCode;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.event.SqliteValue;
import io.replicator.state.Control;
import io.replicator.state.SinkLock;
import io.replicator.state.SinkState;
import io.replicator.core.sqlite.SqliteSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verification while the application keeps writing: the running sink is asked to hold at its next consistent
 * point Q, so PostgreSQL shows exactly SQLite's state at changelog position Q; then both sides are compared,
 * leaving out on both sides only the rows whose keys the changelog lists after Q (read in the verification's
 * own SQLite read transaction, so nothing changed since is compared). Every other row must be equal, exactly.
 * The sink is released at the end, whatever happens.
 */
public final class OnlineVerify {
    /** @param heldAt the changelog position PostgreSQL was held at; null when nothing was held (a plain comparison) */
    public record Result(Long heldAt, VerifyReport report) {}

    /** {@code verify --online}: hold a running sink when there is one (AUTO), require one (ON), or compare plainly (OFF). */
    public enum Online {
        AUTO, ON, OFF;

        public static Online parse(String flag) {
            for (Online o : values()) if (o.name().equalsIgnoreCase(flag)) return o;
            throw ReplicatorException.config("--online must be auto, on or off, got " + flag);
        }
    }

    /** Compares SQLite and PostgreSQL as {@code online} asks: held at a consistent position while a sink runs, else plainly. */
    public static Result verify(SqliteSource source, PostgresUrl target, String schema, int maxDifferences, int sampleChunks, Online online) {
        boolean held = online != Online.OFF && sinkRunning(target, schema);
        if (online == Online.ON && !held) throw ReplicatorException.config("--online=on: no running `run` applies to schema " + schema);
        if (held) return run(source, target, schema, maxDifferences, sampleChunks);
        return new Result(null, new Verifier(source, target, schema, maxDifferences, c -> Map.of(), sampleChunks).run());
    }

    private OnlineVerify() {}

    /** True when a running sink applies to this schema (so an online verification is possible and needed). */
    public static boolean sinkRunning(PostgresUrl target, String schema) {
        try (Connection c = target.connect("replicator-verify")) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regclass('" + SinkState.TABLE + "') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) return false; // no sink ever ran here; verify creates nothing
            }
            SinkState.ensure(c);
            return SinkState.read(c, schema) != null && SinkLock.busy(c, schema);
        } catch (SQLException e) {
            throw PostgresErrors.wrap("cannot read the sink state in " + target.redacted(), e, target);
        }
    }

    public static Result run(SqliteSource source, PostgresUrl target, String schema, int maxDifferences, int sampleChunks) {
        try (Connection c = target.connect("replicator-verify-hold")) {
            Control.requestHold(c, schema, true);
            try {
                long deadline = System.currentTimeMillis() + 30_000;
                Long held;
                while ((held = Control.heldSeq(c, schema)) == null) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new ReplicatorException(ExitCode.RUNTIME, "the running sink did not hold within 30 s (is `run` catching up a long backlog?);"
                                + " try again when lag is small");
                    }
                    Thread.sleep(10);
                }
                long q = held;
                VerifyReport r = new Verifier(source, target, schema, maxDifferences, sq -> changedAfter(sq, q), sampleChunks).run();
                return new Result(q, r);
            } finally {
                Control.requestHold(c, schema, false);
            }
        } catch (SQLException e) {
            throw ReplicatorException.runtime("online verification could not hold the sink: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("interrupted", e);
        }
    }

    /** Keys the changelog lists after position {@code q}, per table, as SQLite holds them. */
    private static Map<String, List<List<SqliteValue>>> changedAfter(Connection sq, long q) throws SQLException {
        Map<String, Integer> width = new HashMap<>();
        try (Statement s = sq.createStatement(); ResultSet rs = s.executeQuery("SELECT tbl, key_columns FROM " + CaptureNames.CAPTURED)) {
            while (rs.next()) width.put(rs.getString(1), rs.getString(2).split(",", -1).length);
        }
        Map<String, List<List<SqliteValue>>> out = new HashMap<>();
        StringBuilder cols = new StringBuilder();
        for (int i = 1; i <= CaptureNames.MAX_KEY_COLUMNS; i++) cols.append(", k").append(i);
        try (PreparedStatement ps = sq.prepareStatement("SELECT tbl" + cols + " FROM " + CaptureNames.CHANGELOG + " WHERE seq > ? AND op <> '"
                + CaptureNames.OP_SCHEMA + "'")) {
            ps.setLong(1, q);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Integer w = width.get(rs.getString(1));
                    if (w == null) continue;
                    List<SqliteValue> key = new ArrayList<>(w);
                    for (int i = 0; i < w; i++) key.add(SqliteValueReader.value(rs, 2 + i));
                    out.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(key);
                }
            }
        }
        return out;
    }
}
