package io.replicator.stream;

import java.time.Duration;

import io.replicator.core.ReplicatorException;
import io.replicator.sink.KafkaAdmins;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The feed's topic: one partition, so that every event of a source database is in changelog order. Created
 * when missing (replication factor up to 3, as the cluster allows); an existing topic with more partitions
 * is refused, since order across partitions is not defined.
 */
public final class FeedTopic {
    private FeedTopic() {}

    /** A topic just created may not be known to every broker yet: ask again for a while before giving up. */
    private static TopicDescription describe(Admin admin, String topic) throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || System.currentTimeMillis() > deadline) throw e;
                Thread.sleep(100);
            }
        }
    }

    /** The offset the next event of the topic will get (its single partition's end). */
    public static long endOffset(String bootstrap, String topic) {
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                Map.of("bootstrap.servers", bootstrap), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            return c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        }
    }

    public static void ensure(String bootstrap, String topic) {
        try {
            Admin admin = KafkaAdmins.of(bootstrap); // the process's one: creating one per call made a fleet's start slow
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.of((short) Math.min(3, brokers)))))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
            TopicDescription d = describe(admin, topic);
            if (d.partitions().size() != 1) {
                throw ReplicatorException.config("topic " + topic + " has " + d.partitions().size() + " partitions; the feed needs exactly 1"
                        + " so that events stay in commit order. Use another --topic-prefix, or delete the topic");
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw ReplicatorException.runtime("cannot prepare topic " + topic + " on Kafka at " + bootstrap + ": " + cause
                    + " (is Kafka reachable from here?)", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("interrupted while preparing topic " + topic, e);
        }
    }
}
