package io.replicator.sink;

import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The streaming reader gives exactly what Connect's JsonConverter gives, for every kind of value and event. */
class EventJsonReaderTest {
    @Test
    void readsWhatJsonConverterWrites() {
        List<String> cols = List.of("id", "r", "neg0", "inf", "t", "bad", "b", "n", "big", "whole");
        List<SqliteValue> vals = List.of(SqliteValue.integer(7), SqliteValue.real(0.1 + 0.2), SqliteValue.real(-0.0),
                SqliteValue.real(Double.POSITIVE_INFINITY), SqliteValue.text("é 🙂 \u0000 \"q\" \\"), SqliteValue.text(new byte[] {(byte) 0xff}),
                SqliteValue.blob(new byte[] {0, 1, (byte) 0xff}), SqliteValue.NULL, SqliteValue.integer(Long.MAX_VALUE), SqliteValue.real(3.0));
        Schema row = ChangeEventFormat.rowSchema("db.t.Value", cols, vals);
        Schema env = ChangeEventFormat.envelope("db.t", row, null);
        Struct value = new Struct(env).put("op", "u").put("ts_ms", 5L).put("after", ChangeEventFormat.row(row, vals))
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source("db", "/x.db", "t", 3, 4, false, 5)));
        Schema ddlEnv = ChangeEventFormat.envelope("db.t", null, null);
        Struct ddl = new Struct(ddlEnv).put("op", "s").put("ts_ms", 5L).put("ddl", ChangeEventFormat.ddl(true, List.of("CREATE TABLE t (x)", "CREATE INDEX i ON t (x)")))
                .put("source", ChangeEventFormat.source(new ChangeEventFormat.Source("db", "/x.db", "t", 4, 4, true, 5)));
        JsonConverter reference = new JsonConverter();
        reference.configure(Map.of("schemas.enable", "true"), false);
        EventJsonReader reader = new EventJsonReader();
        for (Struct s : List.of(value, ddl, value)) { // the second read of a schema comes from the cache
            byte[] json = reference.fromConnectData("t", s.schema(), s);
            assertEquals(reference.toConnectData("t", json).value(), reader.read("t", json));
            assertEquals(s, reader.read("t", json));
        }
        Struct back = (Struct) reader.read("t", reference.fromConnectData("t", env, value));
        assertEquals(vals, List.copyOf(ChangeEventFormat.decodeRow(back.getStruct("after")).values()));
    }
}
