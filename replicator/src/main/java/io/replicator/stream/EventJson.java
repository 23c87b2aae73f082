package io.replicator.stream;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes events in exactly the wire format of Kafka Connect's {@link JsonConverter} with
 * {@code schemas.enable=true} ({@code {"schema": ..., "payload": ...}}), so any Connect JSON reader (our sink
 * included) decodes them, but faster: each schema's JSON is rendered once and reused, and the payload is
 * streamed without building a tree. The feed's schemas are few and shared, so the per-event cost is the
 * payload alone. Only the types the change-event format uses are written (no logical types).
 */
final class EventJson {
    private static final JsonFactory JSON = new ObjectMapper().getFactory();

    private final JsonConverter schemas = new JsonConverter();
    private final Map<Schema, byte[]> rendered = new IdentityHashMap<>();
    private static final byte[] PAYLOAD = ",\"payload\":".getBytes(StandardCharsets.UTF_8);

    EventJson() {
        schemas.configure(Map.of("schemas.enable", "true"), false);
    }

    byte[] write(Schema schema, Object value) {
        if (schema == null && value == null) return null;
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        // {"schema":<rendered once>,"payload":<streamed>}
        byte[] head = rendered.computeIfAbsent(schema, s -> ("{\"schema\":" + schemas.asJsonSchema(s)).getBytes(StandardCharsets.UTF_8));
        out.write(head, 0, head.length);
        out.write(PAYLOAD, 0, PAYLOAD.length);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            payload(g, schema, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('}');
        return out.toByteArray();
    }

    private static void payload(JsonGenerator g, Schema schema, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
            return;
        }
        switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> g.writeNumber(((Number) v).longValue());
            case FLOAT32 -> g.writeNumber((Float) v);
            case FLOAT64 -> g.writeNumber((Double) v);
            case BOOLEAN -> g.writeBoolean((Boolean) v);
            case STRING -> g.writeString((String) v);
            case BYTES -> g.writeBinary(v instanceof ByteBuffer bb ? bytes(bb) : (byte[]) v);
            case ARRAY -> {
                g.writeStartArray();
                for (Object o : (List<?>) v) payload(g, schema.valueSchema(), o);
                g.writeEndArray();
            }
            case STRUCT -> {
                Struct s = (Struct) v;
                g.writeStartObject();
                for (Field f : schema.fields()) {
                    g.writeFieldName(f.name());
                    payload(g, f.schema(), s.getWithoutDefault(f.name()));
                }
                g.writeEndObject();
            }
            default -> throw new DataException("the change-event format has no " + schema.type() + " values");
        }
    }

    private static byte[] bytes(ByteBuffer bb) {
        byte[] b = new byte[bb.remaining()];
        bb.duplicate().get(b);
        return b;
    }
}
