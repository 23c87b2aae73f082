package io.replicator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.core.ReplicatorException;
import io.replicator.feed.SourcePartition;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The feed's committed position when the source connector runs on a Kafka Connect cluster: read from the worker's REST
 * API ({@code GET /connectors/NAME/offsets}), the offset stored under the partition of this SQLite file's capture id.
 * Connect answers from its offsets topic, so the position is the one a restarted task would resume after.
 *
 * <pre>{@code {"offsets": [{"partition": {"database": "app", "capture": "<id>"}, "offset": {"seq": 42}}]}}</pre>
 */
public final class ConnectOffsets {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ConnectOffsets() {}

    /**
     * The seq Connect holds for {@code connector} under {@code captureId}; empty when it has none for this capture (the
     * task has not committed yet, or it reads another capture of the file). Unreachable: exit 4; no such connector: exit 2.
     */
    public static OptionalLong committed(String connectUrl, String connector, String captureId) {
        Long seq = captureId == null ? null : byCapture(connectUrl, connector).get(captureId);
        return seq == null ? OptionalLong.empty() : OptionalLong.of(seq);
    }

    /** Every position Connect holds for {@code connector}, by capture id (the highest seq of each). */
    public static Map<String, Long> byCapture(String connectUrl, String connector) {
        String base = connectUrl.endsWith("/") ? connectUrl.substring(0, connectUrl.length() - 1) : connectUrl;
        URI uri;
        try {
            uri = URI.create(base + "/connectors/" + URLEncoder.encode(connector, StandardCharsets.UTF_8).replace("+", "%20") + "/offsets");
        } catch (IllegalArgumentException e) {
            throw ReplicatorException.config("--connect-url: '" + shown(connectUrl) + "' is not a URL (e.g. http://connect:8083)");
        }
        HttpResponse<String> r;
        try {
            r = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()
                    .send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ReplicatorException.runtime("cannot reach Kafka Connect at " + shown(connectUrl) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplicatorException.runtime("interrupted while asking Kafka Connect for offsets", e);
        }
        if (r.statusCode() == 404) {
            throw ReplicatorException.config("Kafka Connect at " + shown(connectUrl) + " has no connector " + connector + " (GET /connectors lists them)");
        }
        if (r.statusCode() != 200) {
            throw ReplicatorException.runtime("Kafka Connect at " + shown(connectUrl) + " answered " + r.statusCode() + " to GET offsets of " + connector
                    + ": " + r.body(), null);
        }
        try {
            Map<String, Long> out = new HashMap<>();
            for (JsonNode o : JSON.readTree(r.body()).path("offsets")) {
                String capture = o.path("partition").path(SourcePartition.CAPTURE).asText(null);
                JsonNode seq = o.path("offset").path(SourcePartition.SEQ);
                if (capture != null && seq.isIntegralNumber()) out.merge(capture, seq.asLong(), Math::max);
            }
            return out;
        } catch (IOException e) {
            throw ReplicatorException.runtime("Kafka Connect at " + shown(connectUrl) + " answered offsets that are not JSON: " + e.getMessage(), e);
        }
    }

    /** The URL without user info (a basic-auth password must not be printed). */
    private static String shown(String url) {
        return url.replaceAll("//[^/@]*@", "//");
    }
}
