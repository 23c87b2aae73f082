package io.replicator.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads Kafka Connect's JSON-with-schema format ({@code {"schema": ..., "payload": ...}}) as JsonConverter
 * does, but without building a JSON tree per event: the schema part is looked up by its bytes (the feed's
 * events share few schemas) and the payload is streamed straight into a Struct. Anything unusual (payload
 * before schema, logical types) is handed to JsonConverter itself.
 */
final class EventJsonReader {
    private static final JsonFactory JSON = new ObjectMapper().getFactory();
    private static final ObjectMapper TREE = new ObjectMapper();

    private final JsonConverter converter = new JsonConverter();
    /** Schemas by the CRC32C of their JSON text (hardware-accelerated), each checked byte for byte. */
    private final Map<Long, List<Map.Entry<byte[], Schema>>> schemas = new HashMap<>();
    private final CRC32C crc = new CRC32C();

    EventJsonReader() {
        converter.configure(Map.of("schemas.enable", "true"), false);
    }

    Object read(String topic, byte[] bytes) {
        if (bytes == null) return null;
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME || !"schema".equals(p.currentName())) {
                return converter.toConnectData(topic, bytes).value();
            }
            JsonToken t = p.nextToken();
            int start = (int) p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            int end = (int) p.currentLocation().getByteOffset();
            Schema schema = t == JsonToken.VALUE_NULL ? null : schema(bytes, start, end);
            if (p.nextToken() != JsonToken.FIELD_NAME || !"payload".equals(p.currentName())) return converter.toConnectData(topic, bytes).value();
            p.nextToken();
            return schema == null ? null : value(p, schema);
        } catch (IOException e) {
            throw new DataException("not Kafka Connect JSON: " + e.getMessage(), e);
        }
    }

    private Schema schema(byte[] bytes, int start, int end) throws IOException {
        crc.reset();
        crc.update(bytes, start, end - start);
        long key = crc.getValue() ^ ((long) (end - start) << 32);
        List<Map.Entry<byte[], Schema>> known = schemas.computeIfAbsent(key, k -> new ArrayList<>(1));
        for (Map.Entry<byte[], Schema> e : known) {
            if (Arrays.equals(e.getKey(), 0, e.getKey().length, bytes, start, end)) return e.getValue();
        }
        byte[] copy = Arrays.copyOfRange(bytes, start, end);
        Schema s = converter.asConnectSchema(TREE.readTree(copy));
        if (schemas.size() < 10_000) known.add(Map.entry(copy, s));
        return s;
    }

    private static Object value(JsonParser p, Schema schema) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        if (schema.name() != null && schema.name().startsWith("org.apache.kafka.connect.data.")) {
            throw new DataException("logical type " + schema.name() + " is not part of the change-event format");
        }
        switch (schema.type()) {
            case INT8: return (byte) p.getIntValue();
            case INT16: return (short) p.getIntValue();
            case INT32: return p.getIntValue();
            case INT64: return p.getLongValue();
            case FLOAT32: return p.getFloatValue();
            case FLOAT64: return p.getDoubleValue();
            case BOOLEAN: return p.getBooleanValue();
            case STRING: return p.getText();
            case BYTES: return p.getBinaryValue();
            case ARRAY: {
                List<Object> out = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) out.add(value(p, schema.valueSchema()));
                return out;
            }
            case STRUCT: {
                Struct s = new Struct(schema);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    Field f = schema.field(p.currentName());
                    p.nextToken();
                    if (f == null) {
                        p.skipChildren();
                        continue;
                    }
                    s.put(f, value(p, f.schema()));
                }
                return s;
            }
            default:
                throw new DataException("a " + schema.type() + " value is not part of the change-event format");
        }
    }
}
