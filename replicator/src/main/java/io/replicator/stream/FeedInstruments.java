package io.replicator.stream;

import org.apache.kafka.clients.producer.Producer;

/**
 * How the process running a {@link ChangeFeed} watches the feed's Kafka producer without the feed knowing a metrics
 * library. The default, {@link #NONE}, watches nothing. Debezium Embedded itself holds no Kafka client here (its
 * offsets go to a file, {@link AtomicFileOffsetStore}), so the producer is the feed's only client.
 *
 * <p>Invariant: the {@link Binding} is closed before the producer is.
 */
public interface FeedInstruments {
    /** Watches nothing. */
    FeedInstruments NONE = p -> Binding.NONE;

    /** Called with the feed's producer right after it is created. */
    Binding producerOpened(Producer<?, ?> producer);

    /** What {@link #producerOpened} set up; closed with the producer. */
    interface Binding extends AutoCloseable {
        Binding NONE = () -> { };

        @Override
        void close();
    }
}
