package io.replicator.sink.connect;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink connector's configuration and how it deals topics to tasks: no Kafka, no PostgreSQL. */
class PostgresSinkConnectorTest {
    private static final String SECRET = "s3cret-pw";

    private static Map<String, String> config(String topics, String map) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", PostgresSinkConnector.class.getName());
        c.put("topics", topics);
        c.put(PostgresSinkConfig.TOPIC_SCHEMA_MAP, map);
        c.put(PostgresSinkConfig.POSTGRES_URL, "postgresql://app@db:5432/app");
        c.put(PostgresSinkConfig.POSTGRES_PASSWORD, SECRET);
        return c;
    }

    @Test
    void everyTopicGetsItsSchemaAndThereAreNoMoreTasksThanTopics() {
        PostgresSinkConnector connector = new PostgresSinkConnector();
        connector.start(config("r.c,r.a,r.b", "r.a=a,r.b=b,r.c=c"));
        assertEquals(2, connector.taskConfigs(2).size());
        List<Map<String, String>> tasks = connector.taskConfigs(5);
        assertEquals(3, tasks.size(), "never more tasks than topics: each topic has one partition");
        PostgresSinkConfig task = new PostgresSinkConfig(tasks.get(2));
        assertEquals("a", task.schemas().schemaOf("r.a"));
        assertEquals("b", task.schemas().schemaOf("r.b"));
        assertEquals("c", task.schemas().schemaOf("r.c"));
        assertEquals(List.of("r.a", "r.b", "r.c"), task.schemas().topics());
    }

    @Test
    void oneTopicMayNameItsSchemaAlone() {
        Map<String, String> c = config("r.app", "");
        c.put(PostgresSinkConfig.SCHEMA, "app");
        assertEquals("app", new PostgresSinkConfig(c).schemas().schemaOf("r.app"));
        c.put("topics", "r.app,r.other");
        assertThrows(ConfigException.class, () -> new PostgresSinkConfig(c), "schema alone with two topics");
    }

    @Test
    void refusesAMissingOrSharedSchemaAPasswordInTheUrlARegexAndDeadLettersWithoutAQueue() {
        assertTrue(refusal(config("r.a,r.b", "r.a=a")).contains("no schema for topic r.b"));
        assertTrue(refusal(config("r.a,r.b", "r.a=s,r.b=s")).contains("same schema"));
        assertTrue(refusal(config("r.a", "r.x=a")).contains("not in 'topics'"));
        Map<String, String> inUrl = config("r.a", "r.a=a");
        inUrl.put(PostgresSinkConfig.POSTGRES_URL, "postgresql://app:" + SECRET + "@db:5432/app");
        String m = refusal(inUrl);
        assertTrue(m.contains(PostgresSinkConfig.POSTGRES_PASSWORD), m);
        assertFalse(m.contains(SECRET), "the refusal does not show the password: " + m);
        Map<String, String> regex = config("", "");
        regex.remove("topics");
        regex.put("topics.regex", "r\\..*");
        assertTrue(refusal(regex).contains("topics.regex"));
        Map<String, String> dlq = config("r.a", "r.a=a");
        dlq.put(PostgresSinkConfig.ON_ERROR, "dead-letter");
        assertTrue(refusal(dlq).contains("errors.deadletterqueue.topic.name"));
        dlq.put("errors.deadletterqueue.topic.name", "r.dlq");
        assertTrue(new PostgresSinkConfig(dlq).deadLetter());
    }

    @Test
    void validateReportsOnTheFieldAndThePasswordStaysOutOfEveryString() {
        Config v = new PostgresSinkConnector().validate(config("r.a,r.b", "r.a=a"));
        Map<String, List<String>> errors = v.configValues().stream().filter(c -> !c.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
        assertEquals(List.of(PostgresSinkConfig.TOPIC_SCHEMA_MAP), List.copyOf(errors.keySet()), errors.toString());

        PostgresSinkConfig ok = new PostgresSinkConfig(config("r.a", "r.a=a"));
        assertFalse(ok.toString().contains(SECRET), "the config's own dump masks the password");
        assertFalse(ok.target().toString().contains(SECRET));
        assertFalse(ok.target().redacted().contains(SECRET));
        assertTrue(ok.target().hasPassword(), "the password reaches the connection");
    }

    private static String refusal(Map<String, String> c) {
        return assertThrows(ConfigException.class, () -> new PostgresSinkConfig(c)).getMessage();
    }
}
