package io.replicator.sink;

import io.replicator.core.event.ChangeEventFormat;
import io.replicator.core.event.SqliteValue;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The change feed, as the sink sees it, for the sink's own tests: SQLite tables kept in memory, every write logged
 * at the next changelog position, and each SQLite transaction published the way the feed publishes a complete batch
 * (connector {@code EventEncoder}, replicator {@code ChangeFeed}): one event per changed key, carrying the row as it
 * is when the batch is read ({@code c} when the key's first change was an insert, {@code u}, or {@code d} when the
 * row is gone), in the order of each key's last change; {@code source.batch} is the position after the batch and
 * the last event is marked {@code last_in_batch}. Events are {@link ChangeEventFormat} envelopes in Kafka Connect's
 * JSON with schemas (what the feed's writer emits), sent to partition 0 by an idempotent producer.
 */
final class FeedWriter implements AutoCloseable {
    private static final String NAME = "sinkit";

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final JsonConverter json = new JsonConverter();
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private long seq;

    /** A SQLite table: its columns (the first {@code keyWidth} are the key) and its rows by key. */
    private record Table(String name, List<String> columns, int keyWidth, Map<List<SqliteValue>, List<SqliteValue>> rows) {
        List<String> keyColumns() {
            return columns.subList(0, keyWidth);
        }
    }

    FeedWriter(String bootstrap, String topic) {
        this.topic = topic;
        json.configure(Map.of("schemas.enable", "true"), false);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot create the topic " + topic + ": " + e, e);
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true", ProducerConfig.LINGER_MS_CONFIG, "0"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    String topic() {
        return topic;
    }

    /** Declares a table whose key is its first {@code keyWidth} columns (the snapshot created it in PostgreSQL). */
    FeedWriter table(String name, int keyWidth, String... columns) {
        tables.put(name, new Table(name, List.of(columns), keyWidth, new LinkedHashMap<>()));
        return this;
    }

    /** A row SQLite held before capture was installed: copied by the snapshot, never an event. */
    FeedWriter snapshotRow(String table, Object... row) {
        Table t = tables.get(table);
        List<SqliteValue> values = values(row);
        t.rows().put(List.copyOf(values.subList(0, t.keyWidth())), values);
        return this;
    }

    Iterable<String> tables() {
        return tables.keySet();
    }

    List<String> columns(String table) {
        return tables.get(table).columns();
    }

    /** The rows of {@code table} as SQLite holds them now. */
    List<List<SqliteValue>> rowValues(String table) {
        return List.copyOf(tables.get(table).rows().values());
    }

    /** The changelog position of the last write (0 before any). */
    long seq() {
        return seq;
    }

    /** Rows of {@code table} as SQLite holds them now, each rendered as PostgreSQL prints it, sorted. */
    List<String> rows(String table) {
        return tables.get(table).rows().values().stream().map(FeedWriter::render).sorted().toList();
    }

    /** A SQLite transaction; published by {@link Tx#commit}. */
    Tx tx() {
        return new Tx();
    }

    /** One insert in its own transaction; returns the position after it. */
    long insert(String table, Object... row) {
        return tx().insert(table, row).commit();
    }

    /** Writes made in one SQLite transaction, published as one batch. */
    final class Tx {
        private final Map<String, LinkedHashMap<List<SqliteValue>, long[]>> dirty = new LinkedHashMap<>(); // key -> {lastSeq, firstIsInsert}

        Tx insert(String table, Object... row) {
            return put(table, true, values(row));
        }

        /** Replaces the row with the same key. */
        Tx update(String table, Object... row) {
            return put(table, false, values(row));
        }

        Tx delete(String table, Object... key) {
            List<SqliteValue> k = values(key);
            tables.get(table).rows().remove(k);
            log(table, k, false);
            return this;
        }

        private Tx put(String table, boolean insert, List<SqliteValue> row) {
            Table t = tables.get(table);
            List<SqliteValue> key = List.copyOf(row.subList(0, t.keyWidth()));
            t.rows().put(key, row);
            log(table, key, insert);
            return this;
        }

        private void log(String table, List<SqliteValue> key, boolean insert) {
            long s = ++seq;
            long[] d = dirty.computeIfAbsent(table, x -> new LinkedHashMap<>()).get(key);
            if (d == null) dirty.get(table).put(key, new long[] {s, insert ? 1 : 0});
            else d[0] = s;
        }

        /** Publishes the batch (waiting for Kafka's acknowledgement); returns the position after it. */
        long commit() {
            List<Object[]> changes = new ArrayList<>(); // {table, key, lastSeq, firstIsInsert}
            dirty.forEach((table, keys) -> keys.forEach((k, d) -> changes.add(new Object[] {table, k, d[0], d[1]})));
            changes.sort(Comparator.comparingLong(c -> (Long) c[2]));
            long readAt = System.currentTimeMillis();
            for (int i = 0; i < changes.size(); i++) {
                Object[] c = changes.get(i);
                Table t = tables.get((String) c[0]);
                @SuppressWarnings("unchecked")
                List<SqliteValue> key = (List<SqliteValue>) c[1];
                List<SqliteValue> row = t.rows().get(key);
                String op = row == null ? ChangeEventFormat.OP_DELETE : (Long) c[3] == 1 ? ChangeEventFormat.OP_CREATE : ChangeEventFormat.OP_UPDATE;
                send(t, op, key, row, new ChangeEventFormat.Source(NAME, "/sinkit.db", t.name(), (Long) c[2], seq, i == changes.size() - 1, readAt));
            }
            producer.flush();
            return seq;
        }
    }

    /** Publishes one event as {@code EventEncoder} builds it and {@code ChangeFeed} writes it. */
    private void send(Table t, String op, List<SqliteValue> key, List<SqliteValue> row, ChangeEventFormat.Source source) {
        String recordName = NAME + "." + t.name();
        Schema keySchema = ChangeEventFormat.rowSchema(recordName + ".Key", t.keyColumns(), key);
        Schema rowSchema = row == null ? null : ChangeEventFormat.rowSchema(recordName + ".Value", t.columns(), row);
        boolean delete = op.equals(ChangeEventFormat.OP_DELETE);
        Schema envelope = ChangeEventFormat.envelope(recordName, rowSchema, delete ? keySchema : null);
        Struct value = new Struct(envelope).put("op", op).put("ts_ms", source.tsMs()).put("source", ChangeEventFormat.source(source));
        if (rowSchema != null) value.put("after", ChangeEventFormat.row(rowSchema, row));
        if (delete) value.put("before", ChangeEventFormat.row(envelope.field("before").schema(), key));
        byte[] k = json.fromConnectData(topic, keySchema, ChangeEventFormat.row(keySchema, key));
        byte[] v = json.fromConnectData(topic, envelope, value);
        try {
            producer.send(new ProducerRecord<>(topic, 0, source.tsMs(), k, v)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("Kafka did not take an event: " + e, e);
        }
    }

    /** Java values as SQLite stores them: Long/Integer INTEGER, Double REAL, String TEXT, byte[] BLOB, null NULL. */
    static List<SqliteValue> values(Object... values) {
        List<SqliteValue> out = new ArrayList<>(values.length);
        for (Object o : values) {
            if (o == null) out.add(SqliteValue.NULL);
            else if (o instanceof Long || o instanceof Integer) out.add(SqliteValue.integer(((Number) o).longValue()));
            else if (o instanceof Double d) out.add(SqliteValue.real(d));
            else if (o instanceof String s) out.add(SqliteValue.text(s));
            else if (o instanceof byte[] b) out.add(SqliteValue.blob(b));
            else throw new IllegalArgumentException("not a SQLite value: " + o);
        }
        return out;
    }

    /** A row as {@code String.valueOf} prints what PostgreSQL's driver returns for it, columns joined by '|'. */
    static String render(List<SqliteValue> row) {
        List<String> out = new ArrayList<>();
        for (SqliteValue v : row) {
            out.add(switch (v.storageClass()) {
                case NULL -> "null";
                case INTEGER -> Long.toString(v.asLong());
                case REAL -> Double.toString(v.asDouble());
                case TEXT -> new String(v.asBytes(), StandardCharsets.UTF_8);
                case BLOB -> Arrays.toString(v.asBytes());
            });
        }
        return String.join("|", out);
    }

    @Override
    public void close() {
        producer.close();
    }
}
