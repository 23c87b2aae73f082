package io.replicator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.replicator.core.testing.Await;
import io.replicator.core.testing.SqliteFiles;
import io.replicator.core.testing.TestPostgres;
import io.replicator.testing.ControlPlaneProcess;
import io.replicator.testing.ReplicatorProcess;
import io.replicator.testing.Sqlite3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitoring files in {@code deploy/} read series that exist: a real {@code run} (real SQLite, PostgreSQL and Kafka)
 * is scraped on its control plane's {@code /metrics}, and every metric name in the Grafana dashboard's PromQL and in the
 * Prometheus alert rules must be in the scrape. Also: the scrape config points at the path the control plane serves,
 * the JVM, process, HikariCP and Kafka client meters are bound, lag is in seconds, the build info is there, every
 * {@code replicator_*} series carries the store label, and no password is in the scrape.
 */
class DashboardSeriesIT {
    @TempDir
    Path dir;

    static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

    @Test
    void everySeriesTheDashboardAndTheAlertsUseIsScraped() throws Exception {
        Path db = SqliteFiles.create(dir, "metrics.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t VALUES (1, 'a')");
        String schema = TestPostgres.freshSchema("metrics");
        try (ControlPlaneProcess run = ControlPlaneProcess.start(dir, db, schema)) {
            Sqlite3.exec(db, "INSERT INTO t VALUES (2, 'b'); INSERT INTO t VALUES (3, 'c'); UPDATE t SET v = 'z' WHERE id = 1;");
            long captured = ReplicatorProcess.maxSeq(db);
            ReplicatorProcess.awaitApplied(schema, captured, 60, run.process());
            // the histogram, the sink's consumer and pool meters appear once a batch went through; scraped until all are
            Map<String, Double> scraped = new TreeMap<>();
            String[] text = new String[1];
            Set<String> wanted = usedNames();
            Await.until("every series the dashboard and the alerts use is scraped", Duration.ofSeconds(60), () -> {
                HttpResponse<String> r = run.get("/metrics");
                assertEquals(200, r.statusCode(), r.body());
                text[0] = r.body();
                scraped.clear();
                scraped.putAll(parse(r.body()));
                return scraped.keySet().containsAll(wanted) && scraped.getOrDefault("replicator_applied_seq", -1.0) >= captured;
            }, () -> "missing: " + missing(wanted, scraped.keySet()));
            Files.writeString(Path.of("target", "metrics-scrape.txt"), text[0]);

            assertEquals(List.of(), missing(wanted, scraped.keySet()), "series used in deploy/ but not in /metrics");
            assertTrue(wanted.size() >= 15, "the dashboard and the rules read the replicator's series and the JVM's: " + wanted);
            for (String bound : List.of("jvm_memory_used_bytes", "jvm_gc_pause_seconds_count", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                    "process_uptime_seconds", "process_cpu_usage", "system_cpu_count", "process_files_open_files",
                    "hikaricp_connections_active", "hikaricp_connections_max",
                    "kafka_producer_record_send_total", "kafka_consumer_fetch_manager_records_consumed_total",
                    "replicator_lag_seconds", "replicator_lag_ms", "replicator_apply_latency_seconds_bucket", "replicator_batch_apply_seconds_bucket")) {
                assertTrue(scraped.containsKey(bound), bound + " is bound");
            }
            assertEquals(0.0, scraped.get("replicator_lag_seconds"), "caught up: no lag");
            assertTrue(scraped.get("kafka_producer_record_send_total") >= 1, "the feed's producer sent: " + scraped.get("kafka_producer_record_send_total"));
            assertTrue(scraped.get("kafka_consumer_fetch_manager_records_consumed_total") >= 1, "the sink's consumer consumed");

            Matcher build = Pattern.compile("(?m)^replicator_build_info\\{[^}]*java=\"([^\"]+)\"[^}]*version=\"([^\"]+)\"[^}]*} 1(\\.0)?$").matcher(text[0]);
            assertTrue(build.find(), "replicator_build_info{java,version} 1 in:\n" + grep(text[0], "build_info"));
            assertEquals(System.getProperty("java.runtime.version"), build.group(1));
            assertFalse(build.group(2).isBlank() || build.group(2).equals("unknown"), "the version: " + build.group(2));

            for (String line : text[0].lines().filter(l -> l.startsWith("replicator_") && !l.startsWith("replicator_build_info")).toList()) {
                assertTrue(line.contains("store=\"" + schema + "\""), "the store label on " + line);
            }
            assertTrue(text[0].contains("hikaricp_connections_active{pool=\"replicator-sink." + schema + "\""), grep(text[0], "hikaricp_connections_active"));
            assertFalse(text[0].contains(ControlPlaneProcess.SECRET), "no password in /metrics");
            assertTrue(text[0].contains("# HELP replicator_lag_ms DEPRECATED"), "replicator_lag_ms is marked deprecated");
        }
    }

    @Test
    void theScrapeConfigReadsThePathTheControlPlaneServes() throws Exception {
        JsonNode prom = new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("prometheus/prometheus.yml").toFile());
        JsonNode job = null;
        for (JsonNode j : prom.get("scrape_configs")) if ("replicator".equals(j.path("job_name").asText())) job = j;
        assertTrue(job != null, "a scrape job named replicator: " + prom);
        assertEquals("/metrics", job.path("metrics_path").asText());
        List<String> targets = new ArrayList<>();
        for (JsonNode sc : job.get("static_configs")) for (JsonNode t : sc.get("targets")) targets.add(t.asText());
        assertEquals(List.of("replicator:8484"), targets);
        List<String> ruleFiles = new ArrayList<>();
        prom.get("rule_files").forEach(f -> ruleFiles.add(f.asText()));
        assertTrue(ruleFiles.stream().anyMatch(f -> f.endsWith("alerts.yml")), "the alert rules are loaded: " + ruleFiles);
        // the control plane serves Prometheus text on exactly that path
        String controller = Files.readString(Path.of("src/main/java/io/replicator/control/ControlController.java"));
        assertTrue(controller.contains("@Get(value = \"/metrics\""), "the control plane's metrics path");

        JsonNode alerts = new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("prometheus/alerts.yml").toFile());
        Map<String, JsonNode> rules = new TreeMap<>();
        for (JsonNode g : alerts.get("groups")) for (JsonNode r : g.get("rules")) rules.put(r.get("alert").asText(), r);
        assertEquals(Set.of("ReplicatorLagHigh", "ReplicatorDown", "ReplicatorFeedOrSinkDown", "ReplicatorDeadLetters", "ReplicatorChangelogNotPruned"),
                rules.keySet());
        assertEquals("5m", rules.get("ReplicatorLagHigh").get("for").asText(), "lag above the threshold for 5 minutes");
        assertTrue(rules.get("ReplicatorLagHigh").get("expr").asText().contains("replicator_lag_seconds"));
    }

    /** Every metric name in the dashboard's targets and the alert rules' expressions. */
    static Set<String> usedNames() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String e : dashboardExpressions()) names.addAll(PromQlNames.of(e));
        JsonNode alerts = new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("prometheus/alerts.yml").toFile());
        for (JsonNode g : alerts.get("groups")) for (JsonNode r : g.get("rules")) names.addAll(PromQlNames.of(r.get("expr").asText()));
        names.remove("up"); // Prometheus' own series for the scrape, not the replicator's
        return names;
    }

    static List<String> dashboardExpressions() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DEPLOY.resolve("grafana/dashboards/replicator.json").toFile());
        List<String> exprs = new ArrayList<>();
        collect(d, exprs);
        assertTrue(exprs.size() >= 8, "the dashboard has its queries: " + exprs);
        return exprs;
    }

    private static void collect(JsonNode n, List<String> out) {
        if (n.isObject()) {
            if (n.has("expr") && n.get("expr").isTextual()) out.add(n.get("expr").asText());
            if (n.has("query") && n.get("query").isTextual() && n.get("query").asText().startsWith("label_values(")) {
                String q = n.get("query").asText();
                out.add(q.substring("label_values(".length(), q.lastIndexOf(',')));
            }
            n.fields().forEachRemaining(e -> collect(e.getValue(), out));
        } else if (n.isArray()) {
            n.forEach(c -> collect(c, out));
        }
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> m = new TreeMap<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("#") || line.isBlank()) continue;
            Matcher s = SAMPLE.matcher(line);
            if (!s.find()) continue;
            double v;
            try {
                v = Double.parseDouble(s.group(3));
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            m.merge(s.group(1), v, (a, b) -> Double.isNaN(a) ? b : Double.isNaN(b) ? a : a + b);
        }
        return m;
    }

    private static List<String> missing(Set<String> wanted, Set<String> have) {
        return wanted.stream().filter(n -> !have.contains(n)).toList();
    }

    private static String grep(String text, String word) {
        return String.join("\n", text.lines().filter(l -> l.contains(word)).toList());
    }
}
