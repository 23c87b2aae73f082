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

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Watches one store's clients: the sink's HikariCP pool ({@code hikaricp_*}, labelled by pool name, which carries the
 * schema, and by {@code store}) and the Kafka clients ({@code kafka_producer_*} for the feed, {@code kafka_consumer_*}
 * for the sink, with the {@code store} label). Handed to {@code ChangeFeed.start} and {@code SinkSettings} before they
 * create their clients. Every meter removes itself when its client closes; {@link ProcessMeters#removeStore} sweeps
 * whatever is left.
 */
public final class ClientMeters implements SinkInstruments, FeedInstruments {
    /**
     * The one thread that refreshes every Kafka client's meters in the process (Micrometer leaves a scheduler it was
     * given running when a binding closes). Left to itself Micrometer starts a thread per client: two per store, 200
     * threads in a fleet of 100.
     */
    private static final ScheduledExecutorService REFRESH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kafka-client-meters");
        t.setDaemon(true);
        return t;
    });

    private final MeterRegistry registry;
    private final Tags tags;
    private final MetricsTrackerFactory pool;

    public ClientMeters(ProcessMeters meters, String store) {
        this.registry = meters.registry();
        this.tags = Tags.of(PipelineMeters.STORE, store);
        MetricsTrackerFactory hikari = new MicrometerMetricsTrackerFactory(registry);
        this.pool = (poolName, stats) -> {
            meters.labelPool(poolName, store); // before the tracker registers the pool's meters
            return hikari.create(poolName, stats);
        };
    }

    @Override
    public MetricsTrackerFactory poolTracker() {
        return pool;
    }

    @Override
    public SinkInstruments.Binding consumerOpened(Consumer<?, ?> consumer) {
        KafkaClientMetrics m = new KafkaClientMetrics(consumer, tags, REFRESH);
        m.bindTo(registry);
        return m::close;
    }

    @Override
    public FeedInstruments.Binding producerOpened(Producer<?, ?> producer) {
        KafkaClientMetrics m = new KafkaClientMetrics(producer, tags, REFRESH);
        m.bindTo(registry);
        return m::close;
    }
}
