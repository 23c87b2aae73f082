package io.replicator.rollback;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.codec.Decimals;
import io.replicator.core.codec.ConversionException;
import io.replicator.core.codec.EpochMillis;
import io.replicator.core.codec.Intervals;
import io.replicator.core.codec.PgValueReader;
import io.replicator.core.model.Affinity;
import io.replicator.core.codec.Uuids;
import io.replicator.core.types.PgType;
import io.replicator.translate.plan.ColumnPlan;
import io.replicator.translate.plan.TablePlan;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import static io.replicator.core.Identifiers.pg;
import static io.replicator.core.Identifiers.sqlite;

/**
 * Writes PostgreSQL's current rows back into one SQLite table: for each key the key log lists, the row as
 * PostgreSQL holds it now (upsert) or its absence (delete); a truncated table is copied back whole. Values go
 * back in the storage class SQLite gives such data: integers as INTEGER, double precision as REAL, numeric as
 * INTEGER or REAL when exact, else TEXT, bytea as BLOB, dates and timestamps as ISO-8601 text, boolean as 0/1,
 * intervals as the column kept them (integer microseconds or SQLAlchemy's DATETIME text).
 * Whatever comes back is proven by the full comparison that follows.
 */
final class SqliteWriteBack {
    private static final DateTimeFormatter TZ = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

    private final TablePlan plan;
    private final List<PgType> types;
    private final String pgTable;

    /** @param types PostgreSQL's type of each column of {@code plan}, in plan order */
    SqliteWriteBack(TablePlan plan, List<PgType> types, String schema) {
        this.plan = plan;
        this.types = types;
        this.pgTable = pg(schema, plan.pgName());
    }

    /** Applies the changed keys (or the whole table when {@code whole}); returns rows written and deleted. */
    long[] apply(Connection pgc, Connection sq, String schema, boolean whole) throws SQLException {
        List<String> cols = plan.pgColumns();
        String select;
        if (whole) {
            try (Statement s = sq.createStatement()) {
                s.execute("DELETE FROM " + sqlite(plan.source().name()));
            }
            select = "SELECT true, " + String.join(", ", cols) + " FROM " + pgTable;
        } else {
            List<String> keyCols = new ArrayList<>();
            if (plan.rowidPgColumn() != null) keyCols.add(plan.rowidPgColumn());
            else keyCols.addAll(plan.keyPgColumns());
            List<String> on = new ArrayList<>();
            List<String> keyOut = new ArrayList<>();
            for (String k : keyCols) {
                on.add("t." + pg(k) + " = r." + pg(k));
                keyOut.add("r." + pg(k));
            }
            List<String> tcols = new ArrayList<>();
            for (String c : cols) tcols.add("t." + c);
            select = "SELECT t." + pg(keyCols.get(0)) + " IS NOT NULL, " + String.join(", ", tcols) + ", " + String.join(", ", keyOut)
                    + " FROM (SELECT DISTINCT key FROM " + PgChangeLog.TABLE + " WHERE target_schema = ? AND tbl = ? AND key IS NOT NULL) l"
                    + " CROSS JOIN LATERAL jsonb_populate_record(NULL::" + pgTable + ", l.key) r"
                    + " LEFT JOIN " + pgTable + " t ON " + String.join(" AND ", on);
        }
        long written = 0, deleted = 0;
        try (PreparedStatement ps = pgc.prepareStatement(select);
             PreparedStatement upsert = sq.prepareStatement(upsertSql());
             PreparedStatement delete = sq.prepareStatement(deleteSql())) {
            if (!whole) {
                ps.setString(1, schema);
                ps.setString(2, plan.pgName());
            }
            ps.setFetchSize(1_000);
            try (ResultSet rs = ps.executeQuery()) {
                int n = cols.size();
                while (rs.next()) {
                    if (rs.getBoolean(1)) {
                        int offset = plan.rowidOffset();
                        if (offset == 1) upsert.setLong(1, rs.getLong(2));
                        for (int i = 0; i < types.size(); i++) bind(upsert, offset + i + 1, types.get(i), rs, 2 + offset + i, plan.columns().get(i));
                        upsert.executeUpdate();
                        written++;
                    } else {
                        int keyStart = 2 + n;
                        if (plan.rowidPgColumn() != null) {
                            delete.setLong(1, rs.getLong(keyStart));
                        } else {
                            int[] keyPos = plan.keyColumnPositions();
                            for (int k = 0; k < keyPos.length; k++) {
                                int pos = keyPos[k];
                                bind(delete, k + 1, types.get(pos), rs, keyStart + k, plan.columns().get(pos));
                            }
                        }
                        delete.executeUpdate();
                        deleted++;
                    }
                }
            }
        }
        return new long[] {written, deleted};
    }

    private String upsertSql() {
        List<String> names = new ArrayList<>();
        if (plan.rowidPgColumn() != null) names.add(plan.rowidSelect());
        for (ColumnPlan c : plan.columns()) names.add(sqlite(c.source().name()));
        return "INSERT OR REPLACE INTO " + sqlite(plan.source().name()) + " (" + String.join(", ", names) + ") VALUES ("
                + String.join(", ", Collections.nCopies(names.size(), "?")) + ")";
    }

    private String deleteSql() {
        List<String> where = new ArrayList<>();
        if (plan.rowidPgColumn() != null) {
            where.add(plan.rowidSelect() + " = ?");
        } else {
            for (int k : plan.keyColumnPositions()) where.add(sqlite(plan.columns().get(k).source().name()) + " = ?");
        }
        return "DELETE FROM " + sqlite(plan.source().name()) + " WHERE " + String.join(" AND ", where);
    }

    /** One PostgreSQL value into a SQLite parameter, in the storage class SQLite gives such data. */
    private void bind(PreparedStatement ps, int p, PgType t, ResultSet rs, int col, ColumnPlan c) throws SQLException {
        switch (t.kind()) {
            case SMALLINT, INTEGER, BIGINT -> {
                long v = rs.getLong(col);
                if (rs.wasNull()) ps.setNull(p, Types.NULL); else ps.setLong(p, v);
            }
            case BOOLEAN -> {
                boolean v = rs.getBoolean(col);
                if (rs.wasNull()) ps.setNull(p, Types.NULL); else ps.setLong(p, v ? 1 : 0);
            }
            case DOUBLE -> {
                double v = rs.getDouble(col);
                if (rs.wasNull()) {
                    ps.setNull(p, Types.NULL);
                } else if (Double.isNaN(v)) {
                    throw new ReplicatorException(ExitCode.DATA_LOSS, "rollback: " + plan.pgName() + "." + c.pgName()
                            + " holds NaN, which SQLite cannot store (it would become NULL); change the row in PostgreSQL, then run rollback again");
                } else {
                    ps.setDouble(p, v);
                }
            }
            case NUMERIC -> {
                String s = rs.getString(col);
                if (s == null) ps.setNull(p, Types.NULL);
                else if (s.equals("Infinity") || s.equals("-Infinity")) ps.setDouble(p, s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                else if (s.equals("NaN")) throw new ReplicatorException(ExitCode.DATA_LOSS, "rollback: " + plan.pgName() + "." + c.pgName()
                        + " holds NaN, which SQLite cannot store; change the row in PostgreSQL, then run rollback again");
                else numeric(ps, p, new BigDecimal(s));
            }
            case BYTEA -> {
                byte[] b = rs.getBytes(col);
                if (b == null) ps.setNull(p, Types.NULL); else ps.setBytes(p, b);
            }
            case TIMESTAMPTZ -> {
                OffsetDateTime o = rs.getObject(col, OffsetDateTime.class);
                if (o == null) ps.setNull(p, Types.NULL);
                else if (EpochMillis.applies(t)) ps.setLong(p, epochMillis(o.toInstant(), c));
                else ps.setString(p, trimFraction(o.withOffsetSameInstant(ZoneOffset.UTC).format(TZ)) + "+00:00");
            }
            case UUID -> { // back in the spelling it had in SQLite: 32 lowercase hex digits
                UUID u = rs.getObject(col, UUID.class);
                if (u == null) ps.setNull(p, Types.NULL); else ps.setString(p, Uuids.hex(u));
            }
            case TIME -> { // HH:MM:SS with the fraction trimmed, as SQLite's time() and the ORMs read it
                LocalTime l = rs.getObject(col, LocalTime.class);
                if (l == null) ps.setNull(p, Types.NULL); else ps.setString(p, trimFraction(l.format(TIME_OF_DAY)));
            }
            case INTERVAL -> interval(ps, p, (Duration) PgValueReader.read(rs, col, t), c);
            case TIMESTAMP -> {
                LocalDateTime l = rs.getObject(col, LocalDateTime.class);
                if (l == null) ps.setNull(p, Types.NULL);
                else if (EpochMillis.applies(t)) ps.setLong(p, epochMillis(l.toInstant(ZoneOffset.UTC), c));
                else ps.setString(p, trimFraction(l.format(TZ)));
            }
            default -> { // text, varchar, json, jsonb, date and any other type: PostgreSQL's text
                String s = rs.getString(col);
                if (s == null) ps.setNull(p, Types.NULL); else ps.setString(p, s);
            }
        }
    }

    /** timestamp(3) and timestamptz(3) go back as Prisma keeps a DateTime: integer milliseconds since 1970 UTC. */
    private long epochMillis(Instant i, ColumnPlan c) {
        try {
            return EpochMillis.of(i);
        } catch (ConversionException e) {
            throw new ReplicatorException(ExitCode.DATA_LOSS, "rollback: " + plan.pgName() + "." + c.pgName() + " holds " + i + ", which "
                    + e.getMessage() + " (column " + c.source().name() + " keeps milliseconds); change the row in PostgreSQL, then run rollback again");
        }
    }

    /**
     * An interval in the spelling its SQLite column had: integer microseconds where the declared type has INTEGER
     * affinity (Django's DurationField, 'bigint'), else SQLAlchemy's DATETIME text relative to 1970-01-01 00:00:00
     * with 6 fraction digits, as SQLAlchemy writes it.
     */
    private void interval(PreparedStatement ps, int p, Duration d, ColumnPlan c) throws SQLException {
        if (d == null) {
            ps.setNull(p, Types.NULL);
        } else if (c.source().affinity() == Affinity.INTEGER) {
            long micros;
            try {
                micros = Intervals.micros(d);
            } catch (ArithmeticException e) {
                throw new ReplicatorException(ExitCode.DATA_LOSS, "rollback: " + plan.pgName() + "." + c.pgName() + " holds an interval of "
                        + d + ", more microseconds than a SQLite integer holds; change the row in PostgreSQL, then run rollback again");
            }
            ps.setLong(p, micros);
        } else {
            String text = Intervals.sqlalchemyText(d);
            if (text == null) {
                throw new ReplicatorException(ExitCode.DATA_LOSS, "rollback: " + plan.pgName() + "." + c.pgName() + " holds an interval of " + d
                        + ", which as a date/time after 1970-01-01 (how column " + c.source().name() + " keeps intervals) falls outside years"
                        + " 1-9999; change the row in PostgreSQL, then run rollback again");
            }
            ps.setString(p, text);
        }
    }

    private static String trimFraction(String s) {
        int dot = s.lastIndexOf('.');
        int end = s.length();
        while (end > dot + 1 && s.charAt(end - 1) == '0') end--;
        return end == dot + 1 ? s.substring(0, dot) : s.substring(0, end);
    }

    private static void numeric(PreparedStatement ps, int p, BigDecimal d) throws SQLException {
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() <= 0 && stripped.precision() - stripped.scale() <= 18) {
            ps.setLong(p, stripped.longValueExact());
            return;
        }
        double v = d.doubleValue();
        if (Double.isFinite(v) && Decimals.shortest(v).compareTo(d) == 0) ps.setDouble(p, v);
        else ps.setString(p, d.toPlainString());
    }
}
