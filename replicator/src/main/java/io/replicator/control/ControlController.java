package io.replicator.control;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import io.replicator.metrics.LagHistory;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The HTTP control plane: the status page {@code /}, {@code /health} (503 while a dependency is down), {@code /status},
 * {@code /lag} (the last 15 minutes of lag), {@code /metrics} (Prometheus text), and {@code POST /cutover} and
 * {@code POST /replay}, which need {@code Authorization: Bearer <token>}; without it the answer is 401 and nothing
 * changes. A fleet's control plane serves {@link FleetController} instead.
 */
@Controller
@Requires(property = ControlPlane.SERVES, value = ControlPlane.ONE_STORE)
@ExecuteOn(TaskExecutors.BLOCKING)
public class ControlController {
    private final Replicator replicator;
    private final Token token;

    public ControlController(Replicator replicator, Token token) {
        this.replicator = replicator;
        this.token = token;
    }

    /** The status page: phase, positions, the lag chart and the token-guarded actions ({@link StatusPage}). */
    @Get(value = "/", produces = "text/html; charset=utf-8")
    public String page() {
        return StatusPage.html();
    }

    /**
     * The lag over the last 15 minutes, one sample a second, oldest first: {"now_ms": ..., "samples": [{"at_ms",
     * "lag_changes", "lag_seconds" (null while unknown), "applied_seq"}]}.
     */
    @Get("/lag")
    public Map<String, Object> lag() {
        return lagJson(replicator.lagHistory());
    }

    /** The samples in the shape of {@code /lag}. */
    static Map<String, Object> lagJson(List<LagHistory.Sample> history) {
        List<Map<String, Object>> samples = new ArrayList<>();
        for (LagHistory.Sample s : history) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at_ms", s.atMs());
            m.put("lag_changes", s.lagChanges());
            m.put("lag_seconds", Double.isNaN(s.lagSeconds()) ? null : s.lagSeconds());
            m.put("applied_seq", s.appliedSeq());
            samples.add(m);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("now_ms", System.currentTimeMillis());
        r.put("samples", samples);
        return r;
    }

    @Get("/health")
    public HttpResponse<Map<String, Object>> health() {
        Map<String, Object> h = replicator.health();
        return "UP".equals(h.get("status")) ? HttpResponse.ok(h) : HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(h);
    }

    /** Liveness: the process serves requests (a probe restarts it only when this stops answering). */
    @Get("/health/liveness")
    public Map<String, Object> liveness() {
        return Map.of("status", "UP");
    }

    /** Readiness: the same checks as {@code /health}; 503 while SQLite, PostgreSQL, the feed (Kafka) or the sink is down. */
    @Get("/health/readiness")
    public HttpResponse<Map<String, Object>> readiness() {
        return health();
    }

    @Get("/status")
    public Map<String, Object> status() {
        return replicator.status();
    }

    @Get(value = "/metrics", produces = "text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        return replicator.scrape();
    }

    /** The request body (all optional): {"max_write_pause_ms": 30000, "max_lag": 1000, "verify": "full"|"sample"|"none", "allow_orphans": false}. */
    @Post("/cutover")
    public HttpResponse<Object> cutover(@Nullable @Header("Authorization") String authorization, @Nullable @Body Map<String, Object> body) {
        if (!token.matches(authorization)) return Actions.unauthorized();
        return Actions.cutover(replicator, body);
    }

    /**
     * Re-apply the changes Kafka holds: body {"from_seq": N} or {"from_time": "2026-11-21T07:00:00Z"}, optionally
     * "tables": ["a", "b"]. Answers 202 at once; the sink takes it up at its next consistent point
     * (/status shows "replaying").
     */
    @Post("/replay")
    public HttpResponse<Object> replay(@Nullable @Header("Authorization") String authorization, @Nullable @Body Map<String, Object> body) {
        if (!token.matches(authorization)) return Actions.unauthorized();
        return Actions.replay(replicator, body);
    }

    /** The bearer token, compared in constant time. */
    public record Token(String value) {
        public boolean matches(String authorization) {
            if (authorization == null || !authorization.startsWith("Bearer ")) return false;
            return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8));
        }
    }
}
