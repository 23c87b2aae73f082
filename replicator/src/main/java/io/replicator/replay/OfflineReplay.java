package io.replicator.replay;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.state.SinkLock;
import io.replicator.state.SinkState;
import io.replicator.stream.FeedSettings;
import io.replicator.stream.KafkaTarget;
import io.replicator.stream.TopicTail;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code replay} with {@code run} stopped: sets the sink's position back and re-applies the events Kafka still holds,
 * up to the last consistent point in the topic, then ends. Safe because applying is idempotent (each event carries
 * the row as SQLite held it). A start ahead of where PostgreSQL is would skip changes, so it is clamped to it.
 */
public final class OfflineReplay {
    private OfflineReplay() {}

    /** @param tables SQLite tables to re-apply, or null for all */
    public static void run(PostgresUrl target, String schema, FeedSettings feed, String kafkaFlag, Long fromSeq, String fromTime, List<String> tables)
            throws InterruptedException {
        try (KafkaTarget kafka = KafkaTarget.open(kafkaFlag, feed.stateDir())) {
            String topic = feed.topic();
            long from = ReplayStart.resolve(kafka.bootstrapServers(), topic, fromSeq, fromTime);
            TopicTail.Point last = TopicTail.last(kafka.bootstrapServers(), topic);
            from = Math.min(from, appliedSeq(target, schema));
            System.err.println("replaying topic " + topic + " into schema " + schema + ": every change after seq " + from
                    + (tables == null ? "" : " to tables " + tables) + " up to seq " + last.seq() + " (the last consistent point Kafka holds)");
            try (Sink sink = Sink.start(SinkSettings.of(kafka.bootstrapServers(), topic, schema, target))) {
                sink.replay(from, tables == null ? null : new LinkedHashSet<>(tables));
                while (sink.replaying() || sink.appliedSeq() < last.seq()) {
                    if (sink.await(Duration.ofMillis(200))) break;
                }
                if (sink.failure() != null) throw sink.failure();
                System.err.println("replayed " + sink.appliedEvents() + " event(s); PostgreSQL is at seq " + sink.appliedSeq()
                        + ". Start `run` again to go on streaming.");
            }
        }
    }

    /** Where PostgreSQL is; refused while a sink applies to the schema, or when nothing was ever applied. */
    private static long appliedSeq(PostgresUrl target, String schema) {
        try (Connection c = target.connect("replicator-replay")) {
            SinkState.ensure(c);
            if (SinkLock.busy(c, schema)) {
                throw ReplicatorException.config("a `run` (or another replay) is applying to schema " + schema
                        + "; stop it first, or ask it to replay: POST /replay on its control plane");
            }
            SinkState s = SinkState.read(c, schema);
            if (s == null) throw ReplicatorException.config("nothing was ever applied to schema " + schema + ": there is nothing to replay");
            return s.seq();
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot read the sink position in " + target.redacted() + ": " + e.getMessage(), e);
        }
    }
}
