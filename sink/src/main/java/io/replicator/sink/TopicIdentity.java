package io.replicator.sink;

import io.replicator.state.SinkState;

import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.core.event.ChangeEventFormat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Before the sink seeks to its stored offset: is it still the same topic, holding the same events? A Kafka recreated
 * without its data (a container without a volume) gives the topic a new id and new offsets; seeking to the old
 * offset then skips or repeats events in silence. Checked: Kafka's topic id against the one stored with the position;
 * the stored offset inside what the topic holds; and the event at that offset carrying the stored changelog position.
 */
final class TopicIdentity {
    private TopicIdentity() {}

    /** Kafka did not answer in time: the sink retries, as it does a lost PostgreSQL connection. */
    static final class KafkaUnavailable extends RuntimeException {
        KafkaUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Kafka's id of {@code topic} (a UUID that changes when the topic is deleted and created again). */
    static String topicId(String bootstrap, String topic) {
        try {
            Admin admin = KafkaAdmins.of(bootstrap);
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId().toString();
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new KafkaUnavailable("cannot describe the topic " + topic + " in Kafka at " + bootstrap + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("interrupted while describing the topic " + topic, e);
        }
    }

    /**
     * Throws when the stored position does not fit the topic as it is; {@code batchOf} reads an event's changelog
     * position. Leaves the consumer positioned anywhere (the caller seeks).
     */
    static void check(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, String schema, SinkState s, String currentId,
                      Function<ConsumerRecord<byte[], byte[]>, ChangeEventFormat.Source> batchOf) {
        String replay = "run `bin/replicator replay --from-seq " + s.seq() + " ...` (it re-reads the topic by changelog position and checks that Kafka"
                + " holds every change after it), then start `run` again";
        if (s.topicId() != null && !s.topicId().equals(currentId)) {
            throw ReplicatorException.config("the topic " + tp.topic() + " is not the one the sink of schema " + schema + " was reading: Kafka's topic id is "
                    + currentId + ", the stored position (offset " + s.kafkaOffset() + ", changelog seq " + s.seq() + ") belongs to topic id " + s.topicId()
                    + ". The topic was deleted and created again (a Kafka without its data volume?), so that offset means other events now and the sink"
                    + " does not seek there. To go on, " + replay);
        }
        if (s.kafkaOffset() < 0) return;
        long begin;
        long end;
        try {
            begin = consumer.beginningOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        } catch (KafkaException e) {
            throw new KafkaUnavailable("cannot read the offsets of topic " + tp.topic() + ": " + e.getMessage(), e);
        }
        if (s.kafkaOffset() >= end) {
            throw ReplicatorException.config("the topic " + tp.topic() + " ends at offset " + (end - 1) + ", before the sink's stored offset " + s.kafkaOffset()
                    + " (changelog seq " + s.seq() + "): it was emptied or created again. To go on, " + replay);
        }
        if (s.kafkaOffset() + 1 < begin) {
            throw new ReplicatorException(ExitCode.DATA_LOSS, "Kafka's retention deleted events of topic " + tp.topic() + " the sink has not applied yet: the"
                    + " oldest it holds is offset " + begin + ", the sink stopped after offset " + s.kafkaOffset() + " (changelog seq " + s.seq()
                    + "). Nothing was skipped: the sink stops here. Take a new snapshot (bin/replicator snapshot --drop ...) and start `run` again,"
                    + " and raise the topic's retention.ms");
        }
        if (s.sourceTsMs() == 0 || s.kafkaOffset() < begin) return; // the position was set, not reached by applying: no event of it to compare
        consumer.seek(tp, s.kafkaOffset());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() != s.kafkaOffset()) continue;
                ChangeEventFormat.Source src = batchOf.apply(r);
                if (src.batch() != s.seq()) {
                    throw ReplicatorException.config("the event at offset " + s.kafkaOffset() + " of topic " + tp.topic() + " belongs to changelog seq "
                            + src.batch() + ", but the sink stored that offset with seq " + s.seq() + ": the topic holds other events than the ones"
                            + " applied. To go on, " + replay);
                }
                return;
            }
        }
        throw new KafkaUnavailable("cannot read the event at offset " + s.kafkaOffset() + " of topic " + tp.topic() + " within 30 s to check the sink's position", null);
    }
}
