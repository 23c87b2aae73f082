package io.replicator.metrics;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.replicator.sink.SinkInstruments;
import io.replicator.stream.FeedInstruments;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Watches one store's clients: the sink's HikariCP pool ({@code hikaricp_*}, labelled by pool name, which carries the
 * schema) and the Kafka clients ({@code kafka_producer_*} for the feed, {@code kafka_consumer_*} for the sink, with the
 * {@code store} label). Handed to {@code ChangeFeed.start} and {@code SinkSettings} before they create their clients.
 */
public final class ClientMeters implements SinkInstruments, FeedInstruments {
    private final MeterRegistry registry;
    private final Tags tags;
    private final MetricsTrackerFactory pool;

    public ClientMeters(MeterRegistry registry, String store) {
        this.registry = registry;
        this.tags = Tags.of(PipelineMeters.STORE, store);
        this.pool = new MicrometerMetricsTrackerFactory(registry);
    }

    @Override
    public MetricsTrackerFactory poolTracker() {
        return pool;
    }

    @Override
    public SinkInstruments.Binding consumerOpened(Consumer<?, ?> consumer) {
        KafkaClientMetrics m = new KafkaClientMetrics(consumer, tags);
        m.bindTo(registry);
        return m::close;
    }

    @Override
    public FeedInstruments.Binding producerOpened(Producer<?, ?> producer) {
        KafkaClientMetrics m = new KafkaClientMetrics(producer, tags);
        m.bindTo(registry);
        return m::close;
    }
}
