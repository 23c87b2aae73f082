package io.replicator.verify;

import io.replicator.core.types.PgType;

import java.util.ArrayList;
import java.util.List;

import static io.replicator.core.Identifiers.pg;

/**
 * The SQL that computes, inside PostgreSQL, the same key text and row digest {@link RowDigest} computes over
 * SQLite's values. Needs PostgreSQL 14 or newer (numeric {@code extract}, {@code trim_scale}, {@code bit_xor}, {@code hashtextextended} on bytes).
 */
final class DigestSql {
    private DigestSql() {}

    /** One value's part: type tag and canonical body, or {@code N} for NULL. */
    static String part(PgType t, String column) {
        String x = pg(column);
        String body = switch (t.kind()) {
            case SMALLINT, INTEGER, BIGINT -> "'I' || " + x + "::text";
            case BOOLEAN -> "'b' || " + x + "::text";
            case DOUBLE -> "'D' || encode(float8send(" + x + "), 'hex')";
            case NUMERIC -> "'M' || trim_scale(" + x + ")::text";
            case TEXT, VARCHAR, JSON -> "'T' || octet_length(" + x + "::text) || ':' || " + x + "::text";
            case JSONB -> "'J' || hashtextextended(" + x + "::text, " + RowDigest.SEED_JSONB + ")::text";
            case UUID -> "'u' || replace(" + x + "::text, '-', '')";
            case BYTEA -> "'B' || octet_length(" + x + ") || ':' || encode(" + x + ", 'hex')";
            case DATE -> "'d' || CASE WHEN isfinite(" + x + ") THEN (" + x + " - DATE '1970-01-01')::text ELSE " + x + "::text END";
            case TIME -> "'h' || (extract(epoch FROM " + x + ") * 1000000)::bigint::text";
            // Microseconds with a month as 30 days, as intervals compare: extract(epoch) counts a year as 365.25 days, so each of
            // its whole years (extract(year), months / 12) gives back 5.25 days = 453600 s. All numeric, so exact; trunc, not
            // ::bigint, so an interval past 64 bits of microseconds is a difference, not an error
            case INTERVAL -> "'i' || trunc((extract(epoch FROM " + x + ") - extract(year FROM " + x + ") * 453600) * 1000000)::text";
            case TIMESTAMP, TIMESTAMPTZ -> "'t' || CASE WHEN isfinite(" + x + ") THEN (extract(epoch FROM " + x
                    + ") * 1000000)::bigint::text ELSE " + x + "::text END";
        };
        return "coalesce(" + body + ", 'N')";
    }

    /** Parts joined with '|'. */
    static String joined(List<PgType> types, List<String> columns) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) parts.add(part(types.get(i), columns.get(i)));
        return parts.isEmpty() ? "''" : String.join(" || '|' || ", parts);
    }

    /** The row's text: key # row. */
    static String rowText(String keyExpr, String rowExpr) {
        return keyExpr + " || '#' || " + rowExpr;
    }

    /** The two 64-bit digests of a row text, as PostgreSQL computes them. */
    static String hash1(String text) {
        return "hashtextextended(" + text + ", " + RowDigest.SEED_ROW_1 + ")";
    }

    static String hash2(String text) {
        return "hashtextextended(" + text + ", " + RowDigest.SEED_ROW_2 + ")";
    }
}
