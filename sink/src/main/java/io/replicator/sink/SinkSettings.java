package io.replicator.sink;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What one sink is told: where it reads (Kafka bootstrap servers and the feed's topic), where it applies (a
 * PostgreSQL target and schema), and how. Built with named setters ({@link #builder}) over defaults, and checked
 * once in {@link Builder#build}: a value out of range is refused with the flag that set it (exit 2), never
 * silently replaced. Immutable.
 *
 * <pre>{@code
 * Sink.start(SinkSettings.builder(bootstrap, topic, schema, target).poolSize(10).onPoison(OnPoison.DEAD_LETTER).build());
 * }</pre>
 */
public final class SinkSettings {
    /**
     * Events held before they are applied, and applied since the last commit before the sink commits at the next
     * consistent point while catching up: four of the feed's default batches (5,000 rows each), so a backlog is
     * applied with few commits (each waits for a WAL flush) while memory stays bounded by one chunk of events.
     */
    public static final int DEFAULT_MAX_BATCH_EVENTS = 20_000;
    /**
     * Batches are applied one at a time, in order, on one connection; the second one lets the pool hand over a
     * fresh connection at once when PostgreSQL drops the first.
     */
    public static final int DEFAULT_POOL_SIZE = 2;
    /** The most pool connections accepted: the sink uses one at a time, so more only cost PostgreSQL backends. */
    public static final int MAX_POOL_SIZE = 100;
    /** Transient PostgreSQL errors of one kind are retried this long by default before the sink stops (exit 4). */
    public static final Duration DEFAULT_MAX_RETRY_TIME = Duration.ofMinutes(10);

    /** What the sink does with an event that can never apply as it is (a value its column cannot hold). */
    public enum OnPoison {
        /** Stop at the stored position (exit 3): nothing after it is applied until the operator acts. */
        STOP,
        /** Write the event to the dead-letter topic with the reason and go on without it. */
        DEAD_LETTER;

        /** The value of {@code --on-error}: {@code stop} or {@code dead-letter}; anything else is refused. */
        public static OnPoison parse(String flag) {
            if (flag != null) {
                for (OnPoison p : values()) if (p.flag().equals(flag)) return p;
            }
            throw ReplicatorException.config("--on-error must be stop or dead-letter, got " + flag);
        }

        public String flag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final String bootstrap;
    private final String topic;
    private final String schema;
    private final PostgresUrl target;
    private final OnPoison onPoison;
    private final int maxBatchEvents;
    private final int poolSize;
    private final Duration maxRetryTime;
    private final SinkInstruments instruments;
    private final SharedTarget shared;

    private SinkSettings(Builder b) {
        this.bootstrap = b.bootstrap;
        this.topic = b.topic;
        this.schema = b.schema;
        this.target = b.target;
        this.onPoison = b.onPoison;
        this.maxBatchEvents = b.maxBatchEvents;
        this.poolSize = b.poolSize;
        this.maxRetryTime = b.maxRetryTime;
        this.instruments = b.instruments;
        this.shared = b.shared;
    }

    /** Settings for the sink of {@code schema} reading {@code topic}, every other value at its default. */
    public static SinkSettings of(String bootstrap, String topic, String schema, PostgresUrl target) {
        return builder(bootstrap, topic, schema, target).build();
    }

    /** A builder over the defaults; the four values without a default are given here. */
    public static Builder builder(String bootstrap, String topic, String schema, PostgresUrl target) {
        return new Builder(bootstrap, topic, schema, target);
    }

    public String bootstrap() {
        return bootstrap;
    }

    public String topic() {
        return topic;
    }

    /** The dead-letter topic beside the feed's topic. */
    public String deadLetterTopic() {
        return topic + ".dlq";
    }

    public String schema() {
        return schema;
    }

    public PostgresUrl target() {
        return target;
    }

    public OnPoison onPoison() {
        return onPoison;
    }

    public boolean deadLetter() {
        return onPoison == OnPoison.DEAD_LETTER;
    }

    public int maxBatchEvents() {
        return maxBatchEvents;
    }

    /** Connections in the HikariCP pool to PostgreSQL (the pool replaces a lost connection). */
    public int poolSize() {
        return poolSize;
    }

    public Duration maxRetryTime() {
        return maxRetryTime;
    }

    /** Who watches the sink's pool and consumer (metrics); {@link SinkInstruments#NONE} by default. */
    public SinkInstruments instruments() {
        return instruments;
    }

    /** The pool and lock session a fleet's sinks share, or null: the sink opens its own ({@link #poolSize} then counts). */
    public SharedTarget shared() {
        return shared;
    }

    @Override
    public String toString() {
        return "SinkSettings[topic=" + topic + ", schema=" + schema + ", target=" + target.redacted() + ", onPoison=" + onPoison.flag()
                + ", maxBatchEvents=" + maxBatchEvents + ", poolSize=" + poolSize + ", maxRetryTime=" + maxRetryTime + "]";
    }

    /** Named setters over the defaults; {@link #build} checks everything at once. */
    public static final class Builder {
        private final String bootstrap;
        private final String topic;
        private final String schema;
        private final PostgresUrl target;
        private OnPoison onPoison = OnPoison.STOP;
        private int maxBatchEvents = DEFAULT_MAX_BATCH_EVENTS;
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration maxRetryTime = DEFAULT_MAX_RETRY_TIME;
        private SinkInstruments instruments = SinkInstruments.NONE;
        private SharedTarget shared;

        private Builder(String bootstrap, String topic, String schema, PostgresUrl target) {
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.schema = schema;
            this.target = target;
        }

        public Builder onPoison(OnPoison onPoison) {
            this.onPoison = Objects.requireNonNull(onPoison, "onPoison");
            return this;
        }

        public Builder maxBatchEvents(int maxBatchEvents) {
            this.maxBatchEvents = maxBatchEvents;
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        public Builder maxRetryTime(Duration maxRetryTime) {
            this.maxRetryTime = Objects.requireNonNull(maxRetryTime, "maxRetryTime");
            return this;
        }

        public Builder instruments(SinkInstruments instruments) {
            this.instruments = Objects.requireNonNull(instruments, "instruments");
            return this;
        }

        /** Applies through the fleet's shared pool and holds the schema lock on its shared session (the pool size is the shared one). */
        public Builder shared(SharedTarget shared) {
            this.shared = Objects.requireNonNull(shared, "shared");
            return this;
        }

        /** The settings, or a configuration error (exit 2) naming the value that is wrong. */
        public SinkSettings build() {
            require(bootstrap, "the Kafka bootstrap servers");
            require(topic, "the topic");
            require(schema, "the target schema");
            if (target == null) throw ReplicatorException.config("the sink needs a PostgreSQL target");
            if (shared != null && !shared.target().jdbcUrl().equals(target.jdbcUrl())) throw ReplicatorException.config("the shared pool is for another PostgreSQL than the sink's target");
            if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
                throw ReplicatorException.config("--pool-size must be 1.." + MAX_POOL_SIZE + ", got " + poolSize);
            }
            if (maxBatchEvents < 1) throw ReplicatorException.config("the sink's batch limit must be 1 or more events, got " + maxBatchEvents);
            if (maxRetryTime.isNegative() || maxRetryTime.isZero()) {
                throw ReplicatorException.config("--max-retry-time must be more than 0, got " + maxRetryTime);
            }
            return new SinkSettings(this);
        }

        private static void require(String value, String what) {
            if (value == null || value.isBlank()) throw ReplicatorException.config("the sink needs " + what + ", got " + (value == null ? "none" : "'" + value + "'"));
        }
    }
}
