package io.replicator.core.event;

import io.replicator.core.model.StorageClass;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change-event format carries every SQLite value bit for bit, as a Connect struct and through the feed's
 * wire format (Connect JSON with schemas), and its envelope, source, ddl and marker fields read back as written.
 */
class ChangeEventFormatTest {
    private static final String TOPIC = "t";

    /** One value of each kind SQLite holds, with the edges JSON numbers and Java strings cannot carry on their own. */
    private static final List<SqliteValue> EVERY_KIND = List.of(
            SqliteValue.integer(0), SqliteValue.integer(-1),
            SqliteValue.integer((1L << 53) + 1), // not a double: a JSON reader using doubles would make it 2^53
            SqliteValue.integer(Long.MAX_VALUE), SqliteValue.integer(Long.MIN_VALUE),
            SqliteValue.real(1.5), SqliteValue.real(0.1), SqliteValue.real(0.0), SqliteValue.real(-0.0),
            SqliteValue.real(Double.MIN_VALUE), SqliteValue.real(-Double.MAX_VALUE),
            SqliteValue.real(Double.POSITIVE_INFINITY), SqliteValue.real(Double.NEGATIVE_INFINITY),
            SqliteValue.real(Double.NaN), // SQLite itself stores NaN as NULL; the format still carries it
            SqliteValue.text(""), SqliteValue.text("héllo ✓ 😀"), SqliteValue.text("a\u0000b"),
            SqliteValue.text(bytes(0xff, 0xfe)),              // not UTF-8 at all
            SqliteValue.text(bytes(0x61, 0xc0, 0x80)),        // overlong NUL (modified UTF-8)
            SqliteValue.text(bytes(0xed, 0xa0, 0x80)),        // an encoded surrogate (CESU-8)
            SqliteValue.text(bytes(0x61, 0xe2, 0x82)),        // cut in the middle of a character
            SqliteValue.blob(new byte[0]), SqliteValue.blob(bytes(0x00, 0xff, 0x80, 0x7f)),
            SqliteValue.blob("not text".getBytes(StandardCharsets.UTF_8)),
            SqliteValue.NULL);

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    private static List<String> columns(int n) {
        List<String> c = new ArrayList<>();
        for (int i = 0; i < n; i++) c.add("c" + i);
        return c;
    }

    /** What the sink gets: Connect JSON with schemas, written and read back as the feed and the sink configure it. */
    private static Struct throughJson(Schema schema, Struct value) {
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true"), false);
        byte[] wire = json.fromConnectData(TOPIC, schema, value);
        return (Struct) json.toConnectData(TOPIC, wire).value();
    }

    private static void assertSameValues(List<SqliteValue> expected, Map<String, SqliteValue> actual) {
        assertEquals(expected.size(), actual.size());
        int i = 0;
        for (SqliteValue v : actual.values()) {
            SqliteValue e = expected.get(i++);
            assertEquals(e.storageClass(), v.storageClass(), "storage class of " + e);
            assertEquals(e, v, "value " + i + " (equality is bit-exact for REAL, byte-exact for TEXT and BLOB)");
        }
    }

    @Test
    void everyValueKindRoundTripsThroughTheStruct() {
        Schema schema = ChangeEventFormat.rowSchema("db.t.Value", columns(EVERY_KIND.size()), EVERY_KIND);
        Map<String, SqliteValue> back = ChangeEventFormat.decodeRow(ChangeEventFormat.row(schema, EVERY_KIND));
        assertEquals(columns(EVERY_KIND.size()), List.copyOf(back.keySet()), "fields in column order");
        assertSameValues(EVERY_KIND, back);
    }

    @Test
    void everyValueKindRoundTripsThroughConnectJson() {
        Schema schema = ChangeEventFormat.rowSchema("db.t.Value", columns(EVERY_KIND.size()), EVERY_KIND);
        Struct back = throughJson(schema, ChangeEventFormat.row(schema, EVERY_KIND));
        assertSameValues(EVERY_KIND, ChangeEventFormat.decodeRow(back));
        // the decoded bits, not only equals(): -0.0 and the integer beyond 2^53
        Map<String, SqliteValue> m = ChangeEventFormat.decodeRow(back);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(m.get("c8").asDouble()));
        assertEquals((1L << 53) + 1, m.get("c2").asLong());
        assertArrayEquals(bytes(0xed, 0xa0, 0x80), m.get("c19").asBytes());
    }

    @Test
    void valuesJsonCannotCarryGetNamedSchemas() {
        List<SqliteValue> v = List.of(SqliteValue.real(-0.0), SqliteValue.real(Double.POSITIVE_INFINITY), SqliteValue.real(Double.NaN),
                SqliteValue.real(2.5), SqliteValue.text(bytes(0xff)), SqliteValue.text("a\u0000b"), SqliteValue.integer((1L << 53) + 1),
                SqliteValue.blob(new byte[0]), SqliteValue.NULL);
        Schema s = ChangeEventFormat.rowSchema("db.kinds.Value", columns(v.size()), v);
        for (int i = 0; i < 3; i++) {
            assertEquals(Schema.Type.STRING, s.field("c" + i).schema().type(), v.get(i) + " travels as text");
            assertEquals(ChangeEventFormat.REAL_NAME, s.field("c" + i).schema().name());
        }
        assertEquals("-0.0", ChangeEventFormat.row(s, v).getString("c0"));
        assertEquals(Schema.Type.FLOAT64, s.field("c3").schema().type());
        assertNull(s.field("c3").schema().name());
        assertEquals(Schema.Type.BYTES, s.field("c4").schema().type());
        assertEquals(ChangeEventFormat.TEXT_BYTES_NAME, s.field("c4").schema().name(), "ill-formed text travels as its bytes");
        assertEquals(Schema.Type.STRING, s.field("c5").schema().type(), "NUL is well-formed UTF-8");
        assertEquals(Schema.Type.INT64, s.field("c6").schema().type());
        assertEquals(Schema.Type.BYTES, s.field("c7").schema().type());
        assertNull(s.field("c7").schema().name(), "a BLOB is not named as text");
        assertEquals(Schema.Type.STRING, s.field("c8").schema().type(), "NULL is an optional string holding null");
        for (int i = 0; i < v.size(); i++) assertTrue(s.field("c" + i).schema().isOptional());
    }

    @Test
    void rowSchemasAreSharedPerShapeAndDifferPerStorageClass() {
        List<String> cols = List.of("id", "v");
        Schema a = ChangeEventFormat.rowSchema("db.cache.Value", cols, List.of(SqliteValue.integer(1), SqliteValue.text("x")));
        Schema b = ChangeEventFormat.rowSchema("db.cache.Value", cols, List.of(SqliteValue.integer(2), SqliteValue.text("y")));
        Schema c = ChangeEventFormat.rowSchema("db.cache.Value", cols, List.of(SqliteValue.integer(2), SqliteValue.real(1.0)));
        Schema d = ChangeEventFormat.rowSchema("db.cache.Value", cols, List.of(SqliteValue.integer(2), SqliteValue.real(-0.0)));
        Schema e = ChangeEventFormat.rowSchema("db.cache.Value", List.of("id", "w"), List.of(SqliteValue.integer(2), SqliteValue.text("y")));
        assertSame(a, b);
        assertNotSame(a, c);
        assertNotSame(c, d, "a REAL JSON cannot hold gets its own field schema");
        assertNotSame(a, e, "column names are part of the shape");
        assertEquals(SqliteValue.real(-0.0), ChangeEventFormat.decodeRow(ChangeEventFormat.row(d, List.of(SqliteValue.integer(2), SqliteValue.real(-0.0)))).get("v"));
    }

    @Test
    void envelopeOfAnUpdateCarriesAfterSourceOpAndTimestamp() {
        List<SqliteValue> row = List.of(SqliteValue.integer(7), SqliteValue.text("seven"));
        Schema rowSchema = ChangeEventFormat.rowSchema("db.items.Value", List.of("id", "name"), row);
        Schema env = ChangeEventFormat.envelope("db.items", rowSchema, null);
        assertEquals("db.items" + ChangeEventFormat.ENVELOPE_NAME_SUFFIX, env.name());
        assertEquals(List.of("before", "after", "source", "op", "ts_ms", "ddl"), env.fields().stream().map(f -> f.name()).toList());
        ChangeEventFormat.Source src = new ChangeEventFormat.Source("feed", "/data/app.db", "items", 42, 45, false, 1_700_000_000_123L);
        Struct value = new Struct(env).put("op", ChangeEventFormat.OP_UPDATE).put("ts_ms", 1_700_000_000_456L)
                .put("source", ChangeEventFormat.source(src)).put("after", ChangeEventFormat.row(rowSchema, row));
        value.validate();

        Struct back = throughJson(env, value);
        assertEquals("u", back.getString("op"));
        assertEquals(1_700_000_000_456L, back.getInt64("ts_ms"));
        assertNull(back.get("before"));
        assertNull(back.get("ddl"));
        assertSameValues(row, ChangeEventFormat.decodeRow(back.getStruct("after")));
        assertEquals(src, ChangeEventFormat.readSource(back));
        Struct s = back.getStruct("source");
        assertEquals(ChangeEventFormat.VERSION, s.getString("version"));
        assertEquals(ChangeEventFormat.CONNECTOR, s.getString("connector"));
        assertEquals("false", s.getString("snapshot"));
    }

    @Test
    void deleteCarriesTheKeyInBeforeAndNoAfter() {
        List<SqliteValue> key = List.of(SqliteValue.integer(Long.MIN_VALUE), SqliteValue.text(bytes(0xc3)));
        Schema keySchema = ChangeEventFormat.rowSchema("db.pairs.Key", List.of("a", "b"), key);
        Schema env = ChangeEventFormat.envelope("db.pairs", null, keySchema);
        assertTrue(env.field("before").schema().isOptional(), "before may be null in other events of the topic");
        assertEquals(Schema.Type.STRUCT, env.field("after").schema().type());
        Struct value = new Struct(env).put("op", ChangeEventFormat.OP_DELETE).put("ts_ms", 1L)
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source("feed", "db", "pairs", 3, 3, true, 1L)))
                .put("before", ChangeEventFormat.row(env.field("before").schema(), key));
        Struct back = throughJson(env, value);
        assertEquals("d", back.getString("op"));
        assertNull(back.get("after"));
        assertSameValues(key, ChangeEventFormat.decodeRow(back.getStruct("before")));
    }

    @Test
    void batchAndLastInBatchRoundTrip() {
        Schema env = ChangeEventFormat.envelope("db._", null, null);
        for (boolean last : new boolean[] {true, false}) {
            ChangeEventFormat.Source src = new ChangeEventFormat.Source("feed", "db", "t", 100, Long.MAX_VALUE - 1, last, 5);
            Struct value = new Struct(env).put("op", ChangeEventFormat.OP_CREATE).put("ts_ms", 5L).put("source", ChangeEventFormat.source(src));
            ChangeEventFormat.Source back = ChangeEventFormat.readSource(throughJson(env, value));
            assertEquals(Long.MAX_VALUE - 1, back.batch());
            assertEquals(last, back.lastInBatch());
            assertEquals(100, back.seq());
        }
    }

    @Test
    void schemaChangeEventCarriesTheTableDefinitionOrItsAbsence() {
        Schema env = ChangeEventFormat.envelope("db.items", null, null);
        List<String> ddl = List.of("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)", "CREATE INDEX items_name ON items (name)");
        Struct created = new Struct(env).put("op", ChangeEventFormat.OP_SCHEMA).put("ts_ms", 9L)
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source("feed", "db", "items", 11, 11, true, 9)))
                .put("ddl", ChangeEventFormat.ddl(true, ddl));
        Struct back = throughJson(env, created);
        assertEquals("s", back.getString("op"));
        assertEquals("items", ChangeEventFormat.readSource(back).table());
        assertTrue(back.getStruct("ddl").getBoolean("exists"));
        assertEquals(ddl, back.getStruct("ddl").getArray("statements"));
        assertNull(back.get("after"));

        Struct dropped = new Struct(env).put("op", ChangeEventFormat.OP_SCHEMA).put("ts_ms", 9L)
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source("feed", "db", "items", 12, 12, true, 9)))
                .put("ddl", ChangeEventFormat.ddl(false, List.of()));
        Struct gone = throughJson(env, dropped).getStruct("ddl");
        assertFalse(gone.getBoolean("exists"));
        assertEquals(List.of(), gone.getArray("statements"));
    }

    @Test
    void ddlCopiesTheStatementList() {
        List<String> statements = new ArrayList<>(List.of("CREATE TABLE a (x)"));
        Struct ddl = ChangeEventFormat.ddl(true, statements);
        statements.add("DROP TABLE a");
        assertEquals(List.of("CREATE TABLE a (x)"), ddl.getArray("statements"));
    }

    @Test
    void positionMarkerHasNoTableAndNoRow() {
        Schema env = ChangeEventFormat.envelope("db._", null, null);
        Struct marker = new Struct(env).put("op", ChangeEventFormat.OP_MARKER).put("ts_ms", 3L)
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source("feed", "db", null, 77, 77, true, 3)));
        marker.validate();
        Struct back = throughJson(env, marker);
        assertEquals("m", back.getString("op"));
        ChangeEventFormat.Source src = ChangeEventFormat.readSource(back);
        assertNull(src.table());
        assertEquals(77, src.batch());
        assertTrue(src.lastInBatch());
        assertNull(back.get("before"));
        assertNull(back.get("after"));
        assertNull(back.get("ddl"));
    }

    @Test
    void decodeAcceptsWhatOtherConnectReadersProduce() {
        assertEquals(SqliteValue.integer(5), ChangeEventFormat.decode(Schema.INT32_SCHEMA, 5));
        assertEquals(SqliteValue.integer(-3), ChangeEventFormat.decode(Schema.INT8_SCHEMA, (byte) -3));
        assertEquals(SqliteValue.real(0.5), ChangeEventFormat.decode(Schema.FLOAT32_SCHEMA, 0.5f));
        assertEquals(SqliteValue.blob(bytes(1, 2)), ChangeEventFormat.decode(Schema.BYTES_SCHEMA, ByteBuffer.wrap(bytes(1, 2))));
        SqliteValue text = ChangeEventFormat.decode(ChangeEventFormat.rowSchema("db.tb.Value", List.of("x"), List.of(SqliteValue.text(bytes(0xff))))
                .field("x").schema(), ByteBuffer.wrap(bytes(0xff)));
        assertEquals(StorageClass.TEXT, text.storageClass());
        assertEquals(SqliteValue.NULL, ChangeEventFormat.decode(Schema.OPTIONAL_INT64_SCHEMA, null));
        assertThrows(IllegalArgumentException.class, () -> ChangeEventFormat.decode(Schema.BOOLEAN_SCHEMA, true));
    }

    @Test
    void wellFormedIsStrictUtf8WithNulAllowed() {
        assertTrue(ChangeEventFormat.wellFormed(new byte[0]));
        assertTrue(ChangeEventFormat.wellFormed(bytes(0x61, 0x00, 0x62)));
        assertTrue(ChangeEventFormat.wellFormed("😀 é".getBytes(StandardCharsets.UTF_8)));
        assertFalse(ChangeEventFormat.wellFormed(bytes(0xc0, 0x80)), "overlong");
        assertFalse(ChangeEventFormat.wellFormed(bytes(0xed, 0xa0, 0x80)), "surrogate");
        assertFalse(ChangeEventFormat.wellFormed(bytes(0xe2, 0x82)), "truncated");
        assertFalse(ChangeEventFormat.wellFormed(bytes(0xf4, 0x90, 0x80, 0x80)), "beyond U+10FFFF");
    }
}
