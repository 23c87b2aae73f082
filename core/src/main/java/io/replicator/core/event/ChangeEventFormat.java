package io.replicator.core.event;

import io.replicator.core.model.StorageClass;
import java.util.Arrays;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The change-event format: Debezium's envelope ({@code before}, {@code after}, {@code source}, {@code op},
 * {@code ts_ms}) as Kafka Connect data, written by the feed and read by the sink.
 * <p><b>Row values keep SQLite's storage class.</b> SQLite types values, not columns, so each event's row
 * schema is built from the storage classes of that row: INTEGER → {@code int64}, REAL → {@code float64},
 * TEXT → {@code string}, BLOB → {@code bytes}, NULL → an optional {@code string} holding null. Two cases JSON
 * could not carry exactly get a named schema: a REAL that is infinite or negative zero travels as the string
 * {@link Double#toString} gives ({@value #REAL_NAME}); a TEXT value that is not well-formed UTF-8 travels as
 * its bytes ({@value #TEXT_BYTES_NAME}). Integers keep all 64 bits, REALs all their bits.
 * <p><b>Ops:</b> {@code c} insert, {@code u} update, {@code d} delete ({@code before} holds the key only),
 * {@code s} schema change of {@code source.table} ({@code ddl} holds the table's definition now, or
 * {@code exists=false}), {@code m} a position marker with no row. Events are state-based: {@code after} is the
 * row as SQLite held it when the batch was read.
 * <p><b>Batches:</b> events read in one SQLite read transaction form a batch; each carries
 * {@code source.batch} (the changelog position once the whole batch is applied). The last event of a batch
 * that read the changelog to its end carries {@code source.last_in_batch=true}: applying everything up to
 * such an event in one transaction leaves a state SQLite had (a batch cut at its size limit is followed by
 * more batches before the next consistent point).
 */
public final class ChangeEventFormat {
    private ChangeEventFormat() {}

    public static final String CONNECTOR = "sqlite";
    public static final String VERSION = "1";
    public static final String REAL_NAME = "io.replicator.sqlite.Real";
    public static final String TEXT_BYTES_NAME = "io.replicator.sqlite.TextBytes";
    public static final String ENVELOPE_NAME_SUFFIX = ".Envelope";

    public static final String OP_CREATE = "c";
    public static final String OP_UPDATE = "u";
    public static final String OP_DELETE = "d";
    public static final String OP_SCHEMA = "s";
    public static final String OP_MARKER = "m";

    private static final Schema EMPTY = SchemaBuilder.struct().name("io.replicator.sqlite.None").optional().build();
    private static final Schema REAL_AS_STRING = SchemaBuilder.string().name(REAL_NAME).optional().build();
    private static final Schema TEXT_AS_BYTES = SchemaBuilder.bytes().name(TEXT_BYTES_NAME).optional().build();

    public static final Schema SOURCE = SchemaBuilder.struct().name("io.replicator.sqlite.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("db", Schema.STRING_SCHEMA)
            .field("table", Schema.OPTIONAL_STRING_SCHEMA)
            .field("seq", Schema.INT64_SCHEMA)
            .field("snapshot", Schema.STRING_SCHEMA)
            .field("batch", Schema.INT64_SCHEMA)
            .field("last_in_batch", Schema.BOOLEAN_SCHEMA)
            .build();

    public static final Schema DDL = SchemaBuilder.struct().name("io.replicator.sqlite.Ddl").optional()
            .field("exists", Schema.BOOLEAN_SCHEMA)
            .field("statements", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .build();

    /** Where an event sits in the feed. */
    public record Source(String name, String db, String table, long seq, long batch, boolean lastInBatch, long tsMs) {}

    // ---- rows ----

    private static final Map<String, Schema> ROW_SCHEMAS = new ConcurrentHashMap<>();
    private static final Map<List<Object>, Schema> ENVELOPES = new ConcurrentHashMap<>();

    /** The Connect schema of a row with these columns and these values (cached: rows of one shape share it). */
    public static Schema rowSchema(String recordName, List<String> columns, List<SqliteValue> values) {
        StringBuilder key = new StringBuilder(recordName).append('\u0000');
        for (int i = 0; i < columns.size(); i++) key.append(columns.get(i)).append('\u0000').append(kind(values.get(i)));
        return ROW_SCHEMAS.computeIfAbsent(key.toString(), k -> {
            SchemaBuilder b = SchemaBuilder.struct().name(recordName).optional();
            for (int i = 0; i < columns.size(); i++) b.field(columns.get(i), fieldSchema(kind(values.get(i))));
            return b.build();
        });
    }

    /** The row struct; each value is encoded as its field's schema (from {@link #rowSchema}) says, so its kind is found once. */
    public static Struct row(Schema schema, List<SqliteValue> values) {
        Struct s = new Struct(schema);
        List<org.apache.kafka.connect.data.Field> fields = schema.fields();
        for (int i = 0; i < values.size(); i++) s.put(fields.get(i), encode(fields.get(i).schema(), values.get(i)));
        return s;
    }

    /** The values of a row struct, by column name, in field order. */
    public static Map<String, SqliteValue> decodeRow(Struct row) {
        Map<String, SqliteValue> out = new LinkedHashMap<>();
        for (org.apache.kafka.connect.data.Field f : row.schema().fields()) out.put(f.name(), decode(f.schema(), row.get(f)));
        return out;
    }

    /**
     * The envelope schema around one row schema; {@code keySchema} is the schema of {@code before} (deletes
     * carry the key only).
     */
    public static Schema envelope(String name, Schema rowSchema, Schema keySchema) {
        Schema before = keySchema == null ? EMPTY : optional(keySchema);
        Schema after = rowSchema == null ? EMPTY : rowSchema;
        return ENVELOPES.computeIfAbsent(Arrays.asList(name, after, before), k -> SchemaBuilder.struct().name(name + ENVELOPE_NAME_SUFFIX)
                .field("before", before)
                .field("after", after)
                .field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.INT64_SCHEMA)
                .field("ddl", DDL)
                .build());
    }

    public static Struct source(Source s) {
        return new Struct(SOURCE).put("version", VERSION).put("connector", CONNECTOR).put("name", s.name()).put("ts_ms", s.tsMs())
                .put("db", s.db()).put("table", s.table()).put("seq", s.seq()).put("snapshot", "false")
                .put("batch", s.batch()).put("last_in_batch", s.lastInBatch());
    }

    public static Source readSource(Struct envelope) {
        Struct s = envelope.getStruct("source");
        return new Source(s.getString("name"), s.getString("db"), s.getString("table"), s.getInt64("seq"), s.getInt64("batch"),
                s.getBoolean("last_in_batch"), s.getInt64("ts_ms"));
    }

    public static Struct ddl(boolean exists, List<String> statements) {
        return new Struct(DDL).put("exists", exists).put("statements", new ArrayList<>(statements));
    }

    // ---- values ----

    private enum Kind { NULL, INTEGER, REAL, REAL_STRING, TEXT, TEXT_BYTES, BLOB }

    private static Kind kind(SqliteValue v) {
        return switch (v.storageClass()) {
            case NULL -> Kind.NULL;
            case INTEGER -> Kind.INTEGER;
            case REAL -> exactInJson(v.asDouble()) ? Kind.REAL : Kind.REAL_STRING;
            case TEXT -> wellFormed(v.asBytes()) ? Kind.TEXT : Kind.TEXT_BYTES;
            case BLOB -> Kind.BLOB;
        };
    }

    private static Schema fieldSchema(Kind k) {
        return switch (k) {
            case NULL, TEXT -> Schema.OPTIONAL_STRING_SCHEMA;
            case INTEGER -> Schema.OPTIONAL_INT64_SCHEMA;
            case REAL -> Schema.OPTIONAL_FLOAT64_SCHEMA;
            case REAL_STRING -> REAL_AS_STRING;
            case TEXT_BYTES -> TEXT_AS_BYTES;
            case BLOB -> Schema.OPTIONAL_BYTES_SCHEMA;
        };
    }

    private static Object encode(Schema field, SqliteValue v) {
        if (v.isNull()) return null;
        return switch (field.type()) {
            case INT64 -> v.asLong();
            case FLOAT64 -> v.asDouble();
            case STRING -> v.storageClass() == StorageClass.REAL ? Double.toString(v.asDouble())
                    : new String(v.asBytes(), StandardCharsets.UTF_8);
            case BYTES -> v.asBytes();
            default -> throw new IllegalArgumentException("a row field of type " + field.type() + " is not part of the change-event format");
        };
    }

    /** The SQLite value a field holds; the inverse of the encoding above. */
    public static SqliteValue decode(Schema schema, Object value) {
        if (value == null) return SqliteValue.NULL;
        String name = schema.name();
        switch (schema.type()) {
            case INT8, INT16, INT32, INT64:
                return SqliteValue.integer(((Number) value).longValue());
            case FLOAT32, FLOAT64:
                return SqliteValue.real(((Number) value).doubleValue());
            case STRING:
                if (REAL_NAME.equals(name)) return SqliteValue.real(Double.parseDouble((String) value));
                return SqliteValue.text((String) value);
            case BYTES:
                byte[] b = value instanceof ByteBuffer bb ? toArray(bb) : (byte[]) value;
                return TEXT_BYTES_NAME.equals(name) ? SqliteValue.text(b) : SqliteValue.blob(b);
            default:
                throw new IllegalArgumentException("a row field of type " + schema.type() + " is not part of the change-event format");
        }
    }

    /** JSON numbers (and the BigDecimal some JSON readers use) lose -0.0 and cannot hold infinities. */
    private static boolean exactInJson(double d) {
        return !Double.isInfinite(d) && !Double.isNaN(d) && !(d == 0.0 && Double.doubleToRawLongBits(d) != 0L);
    }

    /** Strictly well-formed UTF-8 (what a Java String round-trips exactly); NUL is allowed. */
    public static boolean wellFormed(byte[] b) {
        for (byte x : b) if (x < 0) return strictDecode(b);
        return true;
    }

    private static boolean strictDecode(byte[] b) {
        try {
            CharBuffer unused = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return unused != null;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] toArray(ByteBuffer bb) {
        byte[] out = new byte[bb.remaining()];
        bb.duplicate().get(out);
        return out;
    }

    private static Schema optional(Schema s) {
        if (s.isOptional()) return s;
        SchemaBuilder b = SchemaBuilder.struct().name(s.name()).optional();
        for (org.apache.kafka.connect.data.Field f : s.fields()) b.field(f.name(), f.schema());
        return b.build();
    }
}
