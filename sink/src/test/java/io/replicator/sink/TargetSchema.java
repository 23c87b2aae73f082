package io.replicator.sink;

import io.replicator.state.SinkState;

import io.replicator.core.event.SqliteValue;
import io.replicator.core.testing.TestPostgres;
import io.replicator.translate.plan.DdlBuilder;
import io.replicator.translate.plan.IndexPlan;
import io.replicator.translate.plan.Plan;
import io.replicator.translate.plan.PlanOptions;
import io.replicator.translate.plan.Planner;
import io.replicator.translate.plan.TablePlan;
import io.replicator.translate.schema.SchemaReader;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static io.replicator.core.Identifiers.pg;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The PostgreSQL side of the sink's tests, standing in for the snapshot: a fresh schema whose tables are planned by
 * the snapshot's own planner from their SQLite definitions (keys, UNIQUE constraints DEFERRABLE INITIALLY IMMEDIATE,
 * indexes) and recorded in {@code replicator.snapshot_table}; the rows SQLite held copied; the sink's position set to
 * the changelog position they reflect. Then {@link #matches} compares PostgreSQL with what SQLite holds.
 */
final class TargetSchema {
    final String schema;

    private TargetSchema(String schema) {
        this.schema = schema;
    }

    /** A fresh schema with the tables of {@code sqliteDdl} (CREATE TABLE statements), empty. */
    static TargetSchema create(String prefix, String... sqliteDdl) throws SQLException {
        TargetSchema t = new TargetSchema(TestPostgres.freshSchema(prefix));
        List<TablePlan> plans;
        try (Connection mem = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement s = mem.createStatement()) {
            for (String sql : sqliteDdl) s.execute(sql);
            Plan p = Planner.plan(":memory:", mem, SchemaReader.read(mem), PlanOptions.of(t.schema, List.of(), "refuse"), true);
            plans = p.tables();
        }
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + pg(t.schema));
            s.execute("CREATE TABLE IF NOT EXISTS replicator.snapshot_table (target_schema text NOT NULL, table_name text NOT NULL,"
                    + " source_table text NOT NULL, status text NOT NULL CHECK (status = 'done'), rows bigint NOT NULL, bytes bigint NOT NULL,"
                    + " seconds double precision NOT NULL, finished_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (target_schema, table_name))");
            for (TablePlan plan : plans) {
                s.execute(DdlBuilder.createTable(t.schema, plan));
                for (IndexPlan ix : plan.indexes()) s.execute(ix.sql());
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO replicator.snapshot_table (target_schema, table_name, source_table, status,"
                        + " rows, bytes, seconds) VALUES (?, ?, ?, 'done', 0, 0, 0)")) {
                    ps.setString(1, t.schema);
                    ps.setString(2, plan.pgName());
                    ps.setString(3, plan.source().name());
                    ps.executeUpdate();
                }
            }
        }
        return t;
    }

    /** Copies every row SQLite holds now and sets the sink's position to the feed's changelog position. */
    TargetSchema snapshot(FeedWriter feed) throws SQLException {
        try (Connection c = TestPostgres.connect()) {
            for (String table : feed.tables()) {
                List<String> cols = feed.columns(table);
                String sql = "INSERT INTO " + pg(schema, table) + " (" + String.join(", ", cols.stream().map(x -> pg(x)).toList()) + ") VALUES ("
                        + String.join(", ", Collections.nCopies(cols.size(), "?")) + ")";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (List<SqliteValue> row : feed.rowValues(table)) {
                        for (int i = 0; i < row.size(); i++) ps.setObject(i + 1, jdbc(row.get(i)));
                        ps.executeUpdate();
                    }
                }
            }
            SinkState.ensure(c);
            SinkState.reset(c, schema, feed.topic(), feed.seq(), -1);
        }
        return this;
    }

    private static Object jdbc(SqliteValue v) {
        return switch (v.storageClass()) {
            case NULL -> null;
            case INTEGER -> v.asLong();
            case REAL -> v.asDouble();
            case TEXT -> new String(v.asBytes(), StandardCharsets.UTF_8);
            case BLOB -> v.asBytes();
        };
    }

    /** The rows of {@code table} in PostgreSQL, each rendered as {@link FeedWriter#render} renders SQLite's, sorted. */
    List<String> rows(String table, List<String> columns) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + String.join(", ", columns.stream().map(x -> pg(x)).toList()) + " FROM " + pg(schema, table))) {
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns.size(); i++) {
                    Object o = rs.getObject(i);
                    row.add(o instanceof byte[] b ? Arrays.toString(b) : String.valueOf(o));
                }
                out.add(String.join("|", row));
            }
        }
        Collections.sort(out);
        return out;
    }

    /** The first column of each row {@code sql} returns, as PostgreSQL prints it. */
    List<String> texts(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** True when every table holds exactly the rows SQLite holds. */
    boolean matches(FeedWriter feed) throws SQLException {
        for (String table : feed.tables()) if (!rows(table, feed.columns(table)).equals(feed.rows(table))) return false;
        return true;
    }

    /** Fails naming the first table that differs. */
    void assertMatches(FeedWriter feed, String message) throws SQLException {
        for (String table : feed.tables()) assertEquals(feed.rows(table), rows(table, feed.columns(table)), message + " (table " + table + ")");
    }

    /** Runs statements on PostgreSQL (as the operator or a backup would). */
    void sql(String... statements) throws SQLException {
        try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
            for (String q : statements) s.execute(q);
        }
    }

    /** The qualified name of a table of this schema. */
    String q(String table) {
        return pg(schema, table);
    }
}
