package io.replicator.control;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.replicator.core.ReplicatorException;
import io.replicator.cutover.Cutover;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two state-changing requests, {@code POST /cutover} and {@code POST /replay}, for one store: the body read, the
 * action run, the answer chosen. Shared by the single store's routes ({@link ControlController}) and a fleet's
 * {@code POST /stores/{name}/...} ({@link FleetController}), so that both do exactly the same thing. The token is checked
 * by the caller first: without it nothing here runs.
 */
final class Actions {
    private Actions() {}

    /** The request body (all optional): {"max_write_pause_ms": 30000, "max_lag": 1000, "verify": "full"|"sample"|"none", "allow_orphans": false}. */
    static HttpResponse<Object> cutover(Replicator replicator, Map<String, Object> body) {
        Map<String, Object> b = body == null ? Map.of() : body;
        try {
            Cutover.Options opt = new Cutover.Options(Duration.ofMillis(number(b, "max_write_pause_ms", 30_000)), number(b, "max_lag", 1000),
                    Cutover.VerifyMode.valueOf(String.valueOf(b.getOrDefault("verify", "full")).toUpperCase(Locale.ROOT)), null,
                    Boolean.parseBoolean(String.valueOf(b.getOrDefault("allow_orphans", false))));
            Cutover.Result r = replicator.cutover(opt);
            return r.done() ? HttpResponse.ok(r) : HttpResponse.status(HttpStatus.CONFLICT).body(r);
        } catch (ReplicatorException | IllegalArgumentException e) {
            return HttpResponse.badRequest(Map.of("error", String.valueOf(e.getMessage())));
        }
    }

    /** Body {"from_seq": N} or {"from_time": "2026-11-21T07:00:00Z"}, optionally "tables": ["a", "b"]; 202 at once. */
    static HttpResponse<Object> replay(Replicator replicator, Map<String, Object> body) {
        Map<String, Object> b = body == null ? Map.of() : body;
        try {
            Long seq = b.get("from_seq") instanceof Number n ? n.longValue() : null;
            String time = b.get("from_time") == null ? null : String.valueOf(b.get("from_time"));
            List<String> tables = null;
            if (b.get("tables") instanceof List<?> l) tables = l.stream().map(String::valueOf).toList();
            else if (b.get("tables") != null) throw ReplicatorException.config("tables must be a list of SQLite table names");
            return HttpResponse.status(HttpStatus.ACCEPTED).body(replicator.replay(seq, time, tables));
        } catch (ReplicatorException e) {
            return HttpResponse.badRequest(Map.of("error", String.valueOf(e.getMessage())));
        }
    }

    static HttpResponse<Object> unauthorized() {
        return HttpResponse.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", "a bearer token is required (Authorization: Bearer <token>)"));
    }

    private static long number(Map<String, Object> b, String key, long dflt) {
        Object v = b.get(key);
        return v instanceof Number n ? n.longValue() : dflt;
    }
}
