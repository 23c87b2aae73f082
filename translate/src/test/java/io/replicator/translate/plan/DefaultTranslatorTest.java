package io.replicator.translate.plan;

import io.replicator.core.types.PgType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class DefaultTranslatorTest {
    private static String sql(String def, PgType t) {
        DefaultTranslator.Result r = DefaultTranslator.translate(def, t);
        if (r.sql() == null) assertNull(r.problem(), "a default that translates to nothing must be NULL, not a problem");
        return r.sql();
    }

    @Test
    void literalsFollowTheDataRules() {
        assertEquals("0", sql("0", PgType.BIGINT));
        assertEquals("-5", sql("-5", PgType.BIGINT));
        assertEquals("false", sql("0", PgType.BOOLEAN));
        assertEquals("true", sql("TRUE", PgType.BOOLEAN));
        assertEquals("'0'", sql("'0'", PgType.TEXT));
        assertEquals("''", sql("\"\"", PgType.TEXT), "a double-quoted default is a string in SQLite");
        assertEquals("1.5", sql("(1.5)", PgType.DOUBLE));
        assertEquals("'\\xCAFE'::bytea", sql("X'CAFE'", PgType.BYTEA));
        assertNull(sql("NULL", PgType.TEXT));
        assertEquals("'2020-01-01T00:00'::timestamp", sql("'2020-01-01 00:00:00'", PgType.TIMESTAMP));
        assertEquals("'2020-01-01T00:00:00.123'::timestamp(3)", sql("'2020-01-01 00:00:00.123'", PgType.parse("timestamp(3)")));
        assertNotNull(DefaultTranslator.translate("'2020-01-01 00:00:00.1234'", PgType.parse("timestamp(3)")).problem(), "would round");
        assertEquals("'86400000000 microseconds'::interval", sql("86400000000", PgType.INTERVAL), "Django: microseconds");
        assertEquals("'-1 microseconds'::interval", sql("'1969-12-31 23:59:59.999999'", PgType.INTERVAL), "SQLAlchemy: since 1970");
        assertNotNull(DefaultTranslator.translate("1.5", PgType.INTERVAL).problem());
    }

    @Test
    void clockFunctionsKeepSqliteMeaning() {
        assertEquals("to_char((CURRENT_TIMESTAMP AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:MI:SS')", sql("CURRENT_TIMESTAMP", PgType.TEXT));
        assertEquals("date_trunc('second', (CURRENT_TIMESTAMP AT TIME ZONE 'UTC'))", sql("datetime('now')", PgType.TIMESTAMP));
        assertEquals("date_trunc('milliseconds', (CURRENT_TIMESTAMP AT TIME ZONE 'UTC'))", sql("(strftime('%Y-%m-%d %H:%M:%f', 'now'))", PgType.TIMESTAMP));
        assertEquals("to_char((CURRENT_TIMESTAMP AT TIME ZONE 'UTC'), 'YYYY-MM-DD')", sql("current_date", PgType.TEXT));
        assertEquals("(LOCALTIMESTAMP)::date", sql("date('now','localtime')", PgType.DATE));
        assertEquals("extract(epoch from CURRENT_TIMESTAMP)::bigint", sql("strftime('%s','now')", PgType.BIGINT));
    }

    @Test
    void whatCannotBeTranslatedIsReportedNotGuessed() {
        DefaultTranslator.Result r = DefaultTranslator.translate("'\"0\"'", PgType.BIGINT);
        assertNull(r.sql());
        assertNotNull(r.problem());
        DefaultTranslator.Result e = DefaultTranslator.translate("(abs(random()) % 10)", PgType.BIGINT);
        assertNull(e.sql());
        assertNotNull(e.problem());
        assertNull(DefaultTranslator.translate("strftime('%W', 'now')", PgType.TEXT).sql());
    }
}
