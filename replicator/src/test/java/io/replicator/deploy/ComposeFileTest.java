package io.replicator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker-compose.yml and deploy/Dockerfile say what the project's code and versions say: the Kafka the project
 * builds against, data that survives a recreated container, a non-root image with a heap that follows the
 * container's memory, a health check on the control plane's real liveness path and port, no password in any
 * command or environment value, no restart loop, Prometheus and Grafana provisioned from deploy/. Compose's own
 * reading of the file (schema, references) is deploy/check-compose.sh, run by CI.
 */
class ComposeFileTest {
    private static JsonNode compose;
    private static JsonNode services;

    @BeforeAll
    static void read() throws Exception {
        compose = DeployFiles.yaml("docker-compose.yml");
        services = compose.get("services");
    }

    @Test
    void kafkaIsTheProjectsVersionWithItsDataOnANamedVolume() {
        JsonNode kafka = services.get("kafka");
        assertEquals("apache/kafka:" + AppInfoParser.getVersion(), kafka.get("image").asText(), "the Kafka the project builds against");
        String logDirs = kafka.get("environment").get("KAFKA_LOG_DIRS").asText();
        String mount = mountOf(kafka, logDirs);
        assertTrue(mount != null && compose.get("volumes").has(mount), "KAFKA_LOG_DIRS " + logDirs + " is on a named volume: " + kafka.get("volumes"));
    }

    @Test
    void theImageRunsAsAUserWithAHeapThatFollowsTheMemoryLimit() throws Exception {
        List<String> dockerfile = Files.readAllLines(DeployFiles.ROOT.resolve("deploy/Dockerfile"));
        String user = dockerfile.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElse("USER root").substring(5).trim();
        String uid = user.split(":")[0];
        assertFalse(uid.equals("root") || uid.equals("0"), "the runtime stage's last USER is not root: " + user);
        int runtime = dockerfile.lastIndexOf(dockerfile.stream().filter(l -> l.startsWith("FROM ")).reduce((a, b) -> b).orElseThrow());
        assertTrue(dockerfile.subList(runtime, dockerfile.size()).stream().anyMatch(l -> l.contains("-XX:MaxRAMPercentage=")),
                "the runtime stage sets -XX:MaxRAMPercentage");

        JsonNode r = services.get("replicator");
        String composeUser = r.get("user").asText();
        assertFalse(composeUser.startsWith("0") || composeUser.startsWith("root"), composeUser);
        assertTrue(composeUser.matches("\\$\\{APP_UID:-(\\d+)}:\\$\\{APP_GID:-\\d+}") && !composeUser.contains(":-0}"), composeUser);
        assertTrue(r.get("environment").get("JAVA_TOOL_OPTIONS").asText().contains("-XX:MaxRAMPercentage="));
        assertTrue(r.has("mem_limit"), "a memory limit for the heap to follow");
    }

    @Test
    void theHealthCheckAsksTheControlPlanesLivenessPath() throws Exception {
        String test = String.join(" ", texts(services.get("replicator").get("healthcheck").get("test")));
        assertTrue(test.contains("http://127.0.0.1:" + DeployFiles.httpPort() + DeployFiles.endpoint("liveness")), test);
        assertTrue(test.startsWith("CMD curl -f"), "curl is in eclipse-temurin:17-jre, and -f fails on an HTTP error: " + test);
        assertEquals("0.0.0.0", services.get("replicator").get("environment").get("REPLICATOR_HTTP_HOST").asText(),
                "the control plane listens beyond the container's loopback for the port mapping and Prometheus");
    }

    @Test
    void noPasswordInAnyCommandOrEnvironmentValue() {
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> s = it.next();
            List<String> values = new ArrayList<>();
            for (String key : List.of("command", "entrypoint")) if (s.getValue().has(key)) values.addAll(texts(s.getValue().get(key)));
            JsonNode env = s.getValue().get("environment");
            if (env != null) {
                env.fields().forEachRemaining(e -> {
                    values.add(e.getValue().asText());
                    if (e.getKey().contains("PASSWORD")) {
                        assertTrue(e.getKey().endsWith("_FILE"), s.getKey() + ": " + e.getKey() + " names a file, not a password");
                        assertTrue(e.getValue().asText().startsWith("/run/secrets/"), s.getKey() + ": " + e.getKey() + " is a secret file");
                    }
                });
            }
            for (String v : values) {
                assertFalse(DeployFiles.PASSWORD_IN_URL.matcher(v).find(), s.getKey() + ": a password in " + v);
                assertFalse(v.toLowerCase().contains("password="), s.getKey() + ": a password in " + v);
            }
        }
        String url = services.get("replicator").get("environment").get("DATABASE_URL").asText();
        assertEquals("/run/secrets/postgres_password", services.get("replicator").get("environment").get("REPLICATOR_POSTGRES_PASSWORD_FILE").asText());
        assertTrue(url.startsWith("postgresql://postgres@postgres:5432/"), url);
        assertTrue(compose.get("secrets").has("postgres_password"), "the secret is declared");
        assertEquals(List.of("postgres_password"), texts(services.get("replicator").get("secrets")));
    }

    @Test
    void theReplicatorIsNotRestartedInALoop() {
        String restart = services.get("replicator").get("restart").asText();
        assertTrue(restart.equals("no") || restart.matches("on-failure:[1-9]\\d?"),
                "never after exit 0 (the cutover), a bounded number of times after 2/3: " + restart);
        assertEquals(List.of("run"), texts(services.get("replicator").get("command")));
    }

    @Test
    void prometheusAndGrafanaAreProvisionedFromDeploy() throws Exception {
        assertNotEquals(null, mountOf(services.get("prometheus"), "/etc/prometheus"));
        assertEquals("./deploy/prometheus", mountOf(services.get("prometheus"), "/etc/prometheus"));
        JsonNode grafana = services.get("grafana");
        assertEquals("./deploy/grafana/provisioning", mountOf(grafana, "/etc/grafana/provisioning"));
        JsonNode provider = DeployFiles.yaml("deploy/grafana/provisioning/dashboards/replicator.yml").get("providers").get(0);
        String dashboards = provider.get("options").get("path").asText();
        assertEquals("./deploy/grafana/dashboards", mountOf(grafana, dashboards), "the provider's path holds deploy/grafana/dashboards");
        JsonNode ds = DeployFiles.yaml("deploy/grafana/provisioning/datasources/prometheus.yml").get("datasources").get(0);
        assertEquals("prometheus", ds.get("type").asText());
        assertEquals("http://prometheus:9090", ds.get("url").asText(), "the prometheus service of the compose file");
        assertTrue(services.has("prometheus"));
    }

    @Test
    void theFleetOnConnectRunsTheProjectsPluginOnTheProjectsKafka() throws Exception {
        JsonNode connect = services.get("connect");
        assertEquals("apache/kafka:" + AppInfoParser.getVersion(), connect.get("image").asText(), "the Connect the plugin is built for");
        assertEquals(List.of("connect"), texts(connect.get("profiles")), "off unless asked for");
        Properties worker = new Properties();
        try (var in = Files.newBufferedReader(DeployFiles.ROOT.resolve("deploy/connect/connect-distributed.properties"))) {
            worker.load(in);
        }
        assertEquals("./connector/target/connect-plugin", mountOf(connect, worker.getProperty("plugin.path")), "plugin.path holds the built plugin");
        assertEquals("./deploy/connect/connect-distributed.properties", mountOf(connect, "/etc/connect/connect-distributed.properties"));
        assertEquals("kafka:9092", worker.getProperty("bootstrap.servers"));
        assertTrue(texts(connect.get("secrets")).contains("postgres_password"));
        JsonNode sink = new ObjectMapper().readTree(Files.readString(DeployFiles.ROOT.resolve("deploy/connect/sink-fleet.json")));
        assertEquals("${dir:/run/secrets:postgres_password}", sink.get("postgres.password").asText(), "the password comes from the secret file");
        assertTrue(worker.getProperty("config.providers.dir.class").endsWith("DirectoryConfigProvider"));
    }

    /** The source of the volume mounted at {@code target} in {@code service} ("name" or "./dir"), or null. */
    private static String mountOf(JsonNode service, String target) {
        for (JsonNode v : service.get("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(target)) return parts[0];
        }
        return null;
    }

    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null) return out;
        if (node.isArray()) node.forEach(n -> out.add(n.asText()));
        else out.add(node.asText());
        return out;
    }
}
