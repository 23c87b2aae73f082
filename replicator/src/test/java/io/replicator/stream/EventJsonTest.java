package io.replicator.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fast writer produces what Connect's JsonConverter produces, and JsonConverter reads every value back exactly. */
class EventJsonTest {
    private static final ObjectMapper M = new ObjectMapper();

    @Test
    void sameJsonAsConnectsConverterAndExactValuesBack() throws Exception {
        List<String> cols = List.of("id", "r", "neg0", "inf", "t", "bad", "b", "n", "big");
        List<SqliteValue> vals = List.of(SqliteValue.integer(7), SqliteValue.real(0.1 + 0.2), SqliteValue.real(-0.0),
                SqliteValue.real(Double.NEGATIVE_INFINITY), SqliteValue.text("é 🙂 \u0000 \"q\""), SqliteValue.text(new byte[] {(byte) 0xc3, 0x28}),
                SqliteValue.blob(new byte[] {0, 1, (byte) 0xff}), SqliteValue.NULL, SqliteValue.integer(Long.MIN_VALUE));
        Schema row = ChangeEventFormat.rowSchema("db.t.Value", cols, vals);
        Schema key = ChangeEventFormat.rowSchema("db.t.Key", List.of("id"), List.of(SqliteValue.integer(7)));
        Schema env = ChangeEventFormat.envelope("db.t", row, null);
        Struct value = new Struct(env).put("op", "c").put("ts_ms", 5L).put("after", ChangeEventFormat.row(row, vals))
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source("db", "/x.db", "t", 3, 4, true, 5)));
        Schema delEnv = ChangeEventFormat.envelope("db.t", null, key);
        Struct delete = new Struct(delEnv).put("op", "d").put("ts_ms", 5L).put("before", ChangeEventFormat.row(delEnv.field("before").schema(), List.of(SqliteValue.integer(7))))
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source("db", "/x.db", "t", 4, 4, true, 5)));
        Schema ddlEnv = ChangeEventFormat.envelope("db.t", null, null);
        Struct ddl = new Struct(ddlEnv).put("op", "s").put("ts_ms", 5L).put("ddl", ChangeEventFormat.ddl(true, List.of("CREATE TABLE t (id INTEGER PRIMARY KEY)")))
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source("db", "/x.db", "t", 4, 4, true, 5)));

        JsonConverter reference = new JsonConverter();
        reference.configure(Map.of("schemas.enable", "true"), false);
        EventJson fast = new EventJson();
        for (Struct s : List.of(value, delete, ddl)) {
            byte[] ours = fast.write(s.schema(), s);
            assertEquals(M.readTree(reference.fromConnectData("t", s.schema(), s)), M.readTree(ours), "same JSON as JsonConverter");
            assertEquals(s, reference.toConnectData("t", ours).value(), "read back equal");
        }
        Struct back = (Struct) reference.toConnectData("t", fast.write(env, value)).value();
        assertEquals(vals, List.copyOf(ChangeEventFormat.decodeRow(back.getStruct("after")).values()), "every SQLite value exactly, bits and storage class");
        assertEquals(M.readTree(reference.fromConnectData("t", key, ChangeEventFormat.row(key, List.of(SqliteValue.integer(7))))),
                M.readTree(fast.write(key, ChangeEventFormat.row(key, List.of(SqliteValue.integer(7))))));
    }
}
