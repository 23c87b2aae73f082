package io.replicator.sink.connect;

import org.apache.kafka.common.config.ConfigException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which target schema each topic of the sink connector is applied to: one topic per store, one schema per topic.
 * Either {@code schema} with a single topic, or {@code topic.schema.map} with one {@code topic=schema} pair for every
 * topic. Refused when a topic has no schema, a pair names a topic not read, or two topics share a schema (two feeds
 * into one schema would interleave positions of different changelogs).
 *
 * <pre>{@code
 * topics=replicator.memory,replicator.profiles
 * topic.schema.map=replicator.memory=memory,replicator.profiles=profiles
 * }</pre>
 */
public final class TopicSchemas {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private final Map<String, String> byTopic;

    private TopicSchemas(Map<String, String> byTopic) {
        this.byTopic = Map.copyOf(byTopic);
    }

    static TopicSchemas of(List<String> topics, String schema, List<String> pairs) {
        if (topics.isEmpty()) throw new ConfigException("topics", "", "name the feed's topics (one per store)");
        Map<String, String> m = new LinkedHashMap<>();
        if (!schema.isBlank()) {
            if (!pairs.isEmpty() || topics.size() != 1) {
                throw new ConfigException(PostgresSinkConfig.SCHEMA, schema, "applies to a single topic; for " + topics.size()
                        + " topics use " + PostgresSinkConfig.TOPIC_SCHEMA_MAP + " (topic=schema,...)");
            }
            m.put(topics.get(0), schema);
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String topic = eq < 0 ? "" : pair.substring(0, eq).trim();
            String s = eq < 0 ? "" : pair.substring(eq + 1).trim();
            if (!NAME.matcher(topic).matches() || s.isEmpty()) {
                throw new ConfigException(PostgresSinkConfig.TOPIC_SCHEMA_MAP, pair, "expected topic=schema");
            }
            if (!topics.contains(topic)) throw new ConfigException(PostgresSinkConfig.TOPIC_SCHEMA_MAP, pair, "names a topic not in 'topics' " + topics);
            if (m.put(topic, s) != null) throw new ConfigException(PostgresSinkConfig.TOPIC_SCHEMA_MAP, pair, "names topic " + topic + " twice");
        }
        for (String t : topics) {
            if (!m.containsKey(t)) {
                throw new ConfigException(PostgresSinkConfig.TOPIC_SCHEMA_MAP, String.join(",", pairs), "has no schema for topic " + t);
            }
        }
        if (m.values().stream().distinct().count() != m.size()) {
            throw new ConfigException(PostgresSinkConfig.TOPIC_SCHEMA_MAP, String.join(",", pairs), "gives two topics the same schema: one store per schema");
        }
        return new TopicSchemas(m);
    }

    /** The schema of {@code topic}; throws for a topic the connector does not read. */
    public String schemaOf(String topic) {
        String s = byTopic.get(topic);
        if (s == null) throw new IllegalArgumentException("no schema for topic " + topic + "; the connector reads " + byTopic.keySet());
        return s;
    }

    /** The topics, sorted (so every start deals them to tasks the same way). */
    public List<String> topics() {
        return byTopic.keySet().stream().sorted().toList();
    }
}
