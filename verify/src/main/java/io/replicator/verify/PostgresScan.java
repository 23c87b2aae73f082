package io.replicator.verify;

import io.replicator.core.codec.Canonical;
import io.replicator.core.codec.PgValueReader;
import io.replicator.core.types.PgType;
import io.replicator.translate.plan.TablePlan;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

import static io.replicator.core.Identifiers.pg;

/** Digests a table inside PostgreSQL: pass 1 returns only per-chunk sums, pass 2 the rows of chosen chunks. */
final class PostgresScan {
    private final TableSpec spec;
    private final String table;

    PostgresScan(TableSpec spec, String schema) {
        this.spec = spec;
        this.table = pg(schema, spec.plan().pgName());
    }

    /** Pass 1: per-chunk count and XOR of row digests, computed by PostgreSQL (rows of {@code where} only, when given). */
    ChunkSums sums(Connection pgc, String where) throws SQLException {
        // OFFSET 0 keeps the row text a column of the subquery: computed once, hashed twice
        String q = "SELECT c, count(*), bit_xor(" + DigestSql.hash1("t") + "), bit_xor(" + DigestSql.hash2("t") + ") "
                + "FROM (SELECT " + spec.chunking().sql(spec.keySql()) + " AS c, " + spec.rowTextSql() + " AS t FROM " + table
                + (where == null ? "" : " WHERE " + where) + " OFFSET 0) q GROUP BY c";
        ChunkSums out = new ChunkSums();
        try (PreparedStatement ps = pgc.prepareStatement(q); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.put(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
        }
        return out;
    }

    /** Pass 2: the rows of the wanted chunks, by key text, at most {@code limit}; excluded keys counted in {@code skipped[0]}. */
    void rows(Connection pgc, Set<Long> wanted, Map<ByteBuffer, RowEntry> out, int limit, long[] skipped) throws SQLException {
        TablePlan t = spec.plan();
        String chunk = spec.chunking().sql(spec.keySql());
        String where = spec.chunking().byRange() ? spec.chunking().rangesWhere(pg(spec.chunking().intKeyColumn()), wanted) : chunk + " = ANY(?)";
        String text = spec.rowTextSql();
        String q = "SELECT " + chunk + ", " + spec.keySql() + ", " + DigestSql.hash1(text) + "::text || ':' || " + DigestSql.hash2(text) + "::text, "
                + String.join(", ", t.pgColumns()) + " FROM " + table + " WHERE " + where;
        int offset = t.rowidOffset();
        try (PreparedStatement ps = pgc.prepareStatement(q)) {
            ps.setFetchSize(5_000);
            if (!spec.chunking().byRange()) {
                Array a = pgc.createArrayOf("bigint", wanted.toArray());
                ps.setArray(1, a);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && out.size() < limit) {
                    ByteBuffer key = ByteBuffer.wrap(rs.getString(2).getBytes(StandardCharsets.UTF_8));
                    if (spec.excluded() != null && spec.excluded().contains(key)) {
                        skipped[0]++;
                        continue;
                    }
                    Object[] values = new Object[spec.types().size()];
                    for (int i = 0; i < values.length; i++) values[i] = PgValueReader.read(rs, 4 + offset + i, spec.types().get(i));
                    String keyDisplay = offset == 1 ? "rowid=" + rs.getLong(4) : keyDisplay(values);
                    out.put(key, new RowEntry(rs.getLong(1), keyDisplay, display(values), rs.getString(3)));
                }
            }
        }
    }

    long count(Connection pgc) throws SQLException {
        try (PreparedStatement ps = pgc.prepareStatement("SELECT count(*) FROM " + table); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String keyDisplay(Object[] values) {
        StringBuilder sb = new StringBuilder();
        for (int k : spec.keyPos()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(spec.plan().columns().get(k).source().name()).append('=').append(Canonical.display(spec.types().get(k), values[k]));
        }
        return sb.toString();
    }

    private String display(Object[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(", ");
            PgType ty = spec.types().get(i);
            sb.append(spec.plan().columns().get(i).source().name()).append('=').append(Canonical.display(ty, values[i]));
        }
        return sb.toString();
    }
}
