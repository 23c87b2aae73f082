package io.replicator.translate.plan;

import io.replicator.core.Identifiers;

import io.replicator.core.PostgresErrors;
import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.core.codec.SqliteValueReader;
import io.replicator.core.codec.Utf8;
import io.replicator.core.types.PgType;
import io.replicator.translate.schema.SchemaReader;
import io.replicator.core.sqlite.SqliteSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.replicator.core.Identifiers.sqlite;

/**
 * The {@code plan} command's work: the {@link Plan} plus a full scan of every TEXT value bound for a text-like
 * column, so that invalid UTF-8 and NUL characters are found before anything is written (the snapshot
 * itself finds them during the copy and rolls that table back).
 */
public final class PlanScanner {
    private PlanScanner() {}

    public record Result(Plan plan, List<Problem> textProblems) {}

    public static Result scan(SqliteSource source, PlanOptions opt) {
        try (Connection c = source.openReadOnly()) {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN");
            }
            Plan plan = Planner.plan(source.path().toString(), c, SchemaReader.read(c), opt);
            List<Problem> text = new ArrayList<>();
            for (TablePlan t : plan.tables()) {
                for (ColumnPlan col : t.columns()) {
                    if (col.profile().texts() == 0 || col.type().kind() == PgType.Kind.BYTEA || col.mapping().hasConflict()) continue;
                    Problem p = firstBadText(c, t, col);
                    if (p != null) text.add(p);
                }
            }
            return new Result(plan, text);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read " + source.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code plan --into-existing}: the file against the application's tables in PostgreSQL, every value converted
     * as the copy would ({@link ExistingTablesPlanner}); reads PostgreSQL's catalog only.
     */
    public static Result scanAgainst(SqliteSource source, PlanOptions opt, PostgresUrl target) {
        try (Connection c = source.openReadOnly(); Connection pg = target.connect("replicator-plan")) {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN");
            }
            return new Result(ExistingTablesPlanner.plan(source.path().toString(), c, SchemaReader.read(c), opt, pg, true), List.of());
        } catch (SQLException e) {
            throw PostgresErrors.wrap("plan against schema " + opt.schema() + " of " + target.redacted() + " failed", e, target);
        }
    }

    private static Problem firstBadText(Connection c, TablePlan t, ColumnPlan col) throws SQLException {
        String key = t.rowidPgColumn() != null ? t.rowidSelect() : String.join(", ", t.source().primaryKey().stream().map(Identifiers::sqlite).toList());
        String keyNames = t.rowidPgColumn() != null ? "rowid" : String.join(",", t.source().primaryKey());
        String q = sqlite(col.source().name());
        long bad = 0;
        String first = null;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + q + ", " + key + " FROM " + sqlite(t.source().name()) + " WHERE typeof(" + q + ") = 'text'")) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                byte[] b = rs.getBytes(1);
                int at = Utf8.firstInvalid(b);
                if (at < 0) continue;
                if (bad++ == 0) {
                    List<String> kv = new ArrayList<>();
                    for (int i = 2; i <= n; i++) kv.add(SqliteValueReader.display(rs, i));
                    first = "row " + keyNames + "=" + String.join(",", kv) + ": value " + Utf8.hex(b, 48) + " " + Utf8.describe(b, at);
                }
            }
        }
        if (bad == 0) return null;
        return new Problem(Problem.Level.ERROR, t.source().name(), col.source().name(), bad + " value(s) cannot be PostgreSQL text; first at " + first
                + ". Rerun with --type " + t.source().name() + "." + col.source().name() + "=bytea to move the raw bytes exactly, or fix the rows in SQLite");
    }
}
