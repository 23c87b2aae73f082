package io.replicator.sink;

import io.replicator.core.ReplicatorException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where poison events go under {@code --on-error=dead-letter}: the topic {@code <topic>.dlq}, each event as it was
 * read from the feed's topic, with the reason ({@value #REASON_HEADER}) and its offset ({@value #OFFSET_HEADER}) as
 * headers. An event is written, and acknowledged by every in-sync replica, before the sink goes on without it: an
 * event the sink skipped is always in the dead-letter topic. Its offset is remembered so that the sink, reading the
 * topic again from its stored position, leaves it out. Used by the sink's own thread; the count is read by any.
 */
final class DeadLetters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    static final String REASON_HEADER = "replicator.reason";
    static final String OFFSET_HEADER = "replicator.offset";
    /** How long one write may wait for Kafka before the sink stops rather than go past an event it could not keep. */
    private static final long SEND_TIMEOUT_S = 30;

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Set<Long> setAside = new HashSet<>();
    private final AtomicLong count = new AtomicLong();

    private DeadLetters(String topic, KafkaProducer<byte[], byte[]> producer) {
        this.topic = topic;
        this.producer = producer;
    }

    /** The dead-letter writer of a sink; without a producer (nothing is set aside) when poison events stop it. */
    static DeadLetters open(SinkSettings s) {
        if (!s.deadLetter()) return new DeadLetters(s.deadLetterTopic(), null);
        return new DeadLetters(s.deadLetterTopic(), new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"), new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** True when poison events are set aside here; false when they stop the sink. */
    boolean enabled() {
        return producer != null;
    }

    /** Writes the event to the dead-letter topic and sets its offset aside; stops the sink (exit 4) if Kafka does not take it. */
    void write(BatchApplier.PoisonEvent p) {
        if (producer == null) throw new IllegalStateException("the sink stops on poison events: there is no dead-letter topic");
        try {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, p.event.raw());
            r.headers().add(REASON_HEADER, p.getMessage().getBytes(StandardCharsets.UTF_8));
            r.headers().add(OFFSET_HEADER, Long.toString(p.event.offset()).getBytes(StandardCharsets.UTF_8));
            producer.send(r).get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("cannot write to the dead-letter topic " + topic + ": " + e, e);
        }
        count.incrementAndGet();
        setAside.add(p.event.offset());
        LOG.warn("dead-lettered: {}", p.getMessage());
    }

    /** True for the offset of an event already in the dead-letter topic: the sink reads past it. */
    boolean isSetAside(long offset) {
        return setAside.contains(offset);
    }

    /** Events written to the dead-letter topic by this sink. */
    long count() {
        return count.get();
    }

    @Override
    public void close() {
        if (producer != null) producer.close();
    }
}
