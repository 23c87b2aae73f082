package io.replicator.translate.types;

import io.replicator.core.model.SqliteColumn;
import io.replicator.core.types.PgType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TypeMapperTest {

    private static SqliteColumn col(String type) {
        return new SqliteColumn("c", type, false, null, 0, null, false);
    }

    /** ints, reals, texts, blobs, min, max, maxTextChars; semantic counters zero. */
    private static ColumnProfile prof(long ints, long reals, long texts, long blobs, long min, long max, long maxChars) {
        long rows = ints + reals + texts + blobs;
        return new ColumnProfile(rows, 0, ints, reals, texts, blobs, min, max, maxChars, 0, 0, 0, 0, 0, 0, 0);
    }

    private static PgType decide(String declared, ColumnProfile p) {
        ColumnMapping m = TypeMapper.decide(col(declared), false, p, null, ConflictPolicy.REFUSE);
        assertFalse(m.hasConflict(), () -> "unexpected conflict: " + m.conflict());
        return m.type();
    }

    @Test
    void declaredIntentIsUsedWhenTheDataFits() {
        assertEquals(PgType.DOUBLE, decide("REAL", prof(0, 3, 0, 0, 0, 0, 0)));
        assertEquals(PgType.DOUBLE, decide("double precision", prof(0, 3, 0, 0, 0, 0, 0)));
        assertEquals(PgType.BIGINT, decide("INTEGER", prof(3, 0, 0, 0, 1, 3, 0)));
        assertEquals(PgType.SMALLINT, decide("tinyint", prof(3, 0, 0, 0, 0, 10, 0)));
        assertEquals(PgType.INTEGER, decide("smallint unsigned", prof(3, 0, 0, 0, 0, 60000, 0)));
        assertEquals(PgType.BIGINT, decide("smallint", prof(3, 0, 0, 0, 0, 60000, 0)));
        assertEquals(PgType.numeric(10, 2), decide("NUMERIC(10,2)", prof(1, 5, 0, 0, 1, 1, 0)));
        assertEquals(PgType.varchar(160), decide("NVARCHAR(160)", prof(0, 0, 3, 0, 0, 0, 160)));
        assertEquals(PgType.TEXT, decide("NVARCHAR(10)", prof(0, 0, 3, 0, 0, 0, 11)));
        assertEquals(PgType.TEXT, decide("char(70)", prof(0, 0, 3, 0, 0, 0, 71)));
        assertEquals(PgType.BYTEA, decide("BLOB", prof(0, 0, 0, 2, 0, 0, 0)));
        assertEquals(PgType.TIMESTAMP, decide("DATETIME", prof(0, 0, 3, 0, 0, 0, 19)));
        assertEquals(PgType.JSONB, decide("JSON", prof(0, 0, 3, 0, 0, 0, 19)));
    }

    @Test
    void intentThatTheDataDoesNotFitFallsBackToTheValuesOwnType() {
        assertEquals(PgType.BIGINT, decide("DATETIME", prof(3, 0, 0, 0, 0, 2024, 0)));
        ColumnProfile boolWith2 = new ColumnProfile(3, 0, 3, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0);
        assertEquals(PgType.BIGINT, decide("BOOLEAN", boolWith2));
        ColumnProfile notAllTimestamps = new ColumnProfile(3, 0, 0, 0, 3, 0, 0, 0, 10, 0, 1, 0, 0, 0, 0, 0);
        assertEquals(PgType.TEXT, decide("DATETIME", notAllTimestamps));
        ColumnProfile withOffset = new ColumnProfile(3, 0, 0, 0, 3, 0, 0, 0, 10, 0, 0, 1, 3, 0, 0, 0);
        assertEquals(PgType.TIMESTAMPTZ, decide("TIMESTAMP", withOffset));
        ColumnProfile tooManyDigits = new ColumnProfile(3, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0);
        assertEquals(PgType.NUMERIC, decide("DECIMAL(5,2)", tooManyDigits));
    }

    @Test
    void mixedStorageClassesAreAConflictUnlessWidened() {
        ColumnProfile mixed = prof(2, 0, 1, 0, 5, 10, 10);
        ColumnMapping refuse = TypeMapper.decide(col("INTEGER"), false, mixed, null, ConflictPolicy.REFUSE);
        assertTrue(refuse.hasConflict());
        assertTrue(refuse.conflict().contains("--type"), refuse.conflict());
        assertEquals(PgType.TEXT, TypeMapper.decide(col("INTEGER"), false, mixed, null, ConflictPolicy.WIDEN).type());
        ColumnProfile intsAndReals = prof(2, 1, 0, 0, 1, 2, 0);
        assertEquals(PgType.NUMERIC, TypeMapper.decide(col(""), false, intsAndReals, null, ConflictPolicy.WIDEN).type());
        ColumnProfile textAndBlob = prof(0, 0, 2, 1, 0, 0, 5);
        assertTrue(TypeMapper.decide(col("TEXT"), false, textAndBlob, null, ConflictPolicy.WIDEN).hasConflict());
        assertFalse(TypeMapper.decide(col("TEXT"), false, textAndBlob, PgType.BYTEA, ConflictPolicy.REFUSE).hasConflict());
    }

    @Test
    void rowidAliasIsAlwaysBigint() {
        assertEquals(PgType.BIGINT, TypeMapper.intent(col("INTEGER"), true));
    }

    @Test
    void millisecondTimestampsTakeIntegerCountsOthersKeepThemAsBigint() {
        PgType ts3 = PgType.withFraction(PgType.Kind.TIMESTAMP, 3);
        ColumnProfile millis = prof(3, 0, 0, 0, 1_600_000_000_000L, 1_700_000_000_123L, 0);
        // Prisma's choice (the intent) and --type timestamp(3) both take them
        assertEquals(ts3, TypeMapper.decide(col("DATETIME"), false, millis, null, ConflictPolicy.REFUSE, ts3).type());
        assertFalse(TypeMapper.decide(col("DATETIME"), false, millis, ts3, ConflictPolicy.REFUSE).hasConflict());
        // the generic rule for DATETIME (microsecond timestamp) never reads a count as milliseconds
        assertEquals(PgType.BIGINT, decide("DATETIME", millis));
        assertTrue(TypeMapper.decide(col("DATETIME"), false, millis, PgType.TIMESTAMP, ConflictPolicy.REFUSE).hasConflict());
        // counts beyond the years 1..9999 do not fit: the declared type's own rule decides
        ColumnProfile huge = prof(1, 0, 0, 0, Long.MAX_VALUE, Long.MAX_VALUE, 0);
        assertEquals(PgType.BIGINT, TypeMapper.decide(col("DATETIME"), false, huge, null, ConflictPolicy.REFUSE, ts3).type());
    }
}
