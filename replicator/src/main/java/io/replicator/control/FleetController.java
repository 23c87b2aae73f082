package io.replicator.control;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The control plane of {@code run --stores}: one server for every store of the fleet ({@link FleetBoard}).
 * <ul>
 *   <li>{@code /} the fleet's page; {@code /stores/{name}/} a store's status page (the single store's, reading the
 *       store's routes below);</li>
 *   <li>{@code /stores}, {@code /status}: the stores and their outcome, the summary with positions;</li>
 *   <li>{@code /health} (and {@code /health/readiness}): 503 while any listed store is down, naming it;</li>
 *   <li>{@code /metrics}: one scrape, every store's series labelled {@code store="<name>"};</li>
 *   <li>{@code /stores/{name}/status|health|lag}, and {@code POST /stores/{name}/cutover|replay}, which do what the
 *       single store's {@code POST /cutover} and {@code /replay} do, for that store only, and need the token.</li>
 * </ul>
 * An unknown store is 404 naming the stores there are; without the token a POST is 401 and nothing changes (the token
 * is checked before the store is looked up, so a caller without it learns nothing).
 */
@Controller
@Requires(property = ControlPlane.SERVES, value = ControlPlane.FLEET)
@ExecuteOn(TaskExecutors.BLOCKING)
public class FleetController {
    private final FleetBoard board;
    private final ControlController.Token token;

    public FleetController(FleetBoard board, ControlController.Token token) {
        this.board = board;
        this.token = token;
    }

    @Get(value = "/", produces = "text/html; charset=utf-8")
    public String page() {
        return StatusPage.fleetHtml();
    }

    @Get("/stores")
    public Map<String, Object> stores() {
        return board.stores();
    }

    @Get("/status")
    public Map<String, Object> status() {
        return board.summary();
    }

    @Get("/health")
    public HttpResponse<Map<String, Object>> health() {
        return answer(board.health());
    }

    @Get("/health/liveness")
    public Map<String, Object> liveness() {
        return Map.of("status", "UP");
    }

    @Get("/health/readiness")
    public HttpResponse<Map<String, Object>> readiness() {
        return health();
    }

    @Get(value = "/metrics", produces = "text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        return board.scrape();
    }

    /**
     * The single store's status page, reading this store's routes: its links are relative, so the page must be
     * served from a path ending in "/"; without it the answer is a redirect there.
     */
    @Get(value = "/stores/{name}/", produces = "text/html; charset=utf-8")
    public HttpResponse<Object> storePage(HttpRequest<?> request, @PathVariable String name) {
        return known(name, s -> request.getPath().endsWith("/") ? HttpResponse.ok(StatusPage.html())
                : HttpResponse.permanentRedirect(URI.create(request.getPath() + "/")));
    }

    @Get("/stores/{name}/status")
    public HttpResponse<Object> storeStatus(@PathVariable String name) {
        return known(name, s -> HttpResponse.ok(board.status(s)));
    }

    @Get("/stores/{name}/health")
    public HttpResponse<Object> storeHealth(@PathVariable String name) {
        return known(name, s -> {
            Map<String, Object> h = board.health(s);
            return FleetHealth.failing(h) ? HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(h) : HttpResponse.ok(h);
        });
    }

    @Get("/stores/{name}/lag")
    public HttpResponse<Object> storeLag(@PathVariable String name) {
        return known(name, s -> HttpResponse.ok(board.lag(s)));
    }

    /** The body of the single store's {@code POST /cutover}. */
    @Post("/stores/{name}/cutover")
    public HttpResponse<Object> cutover(@PathVariable String name, @Nullable @Header("Authorization") String authorization,
                                        @Nullable @Body Map<String, Object> body) {
        if (!token.matches(authorization)) return Actions.unauthorized();
        return streaming(name, "cutover", r -> Actions.cutover(r, body));
    }

    /** The body of the single store's {@code POST /replay}. */
    @Post("/stores/{name}/replay")
    public HttpResponse<Object> replay(@PathVariable String name, @Nullable @Header("Authorization") String authorization,
                                       @Nullable @Body Map<String, Object> body) {
        if (!token.matches(authorization)) return Actions.unauthorized();
        return streaming(name, "replay", r -> Actions.replay(r, body));
    }

    private HttpResponse<Object> known(String name, Function<FleetRoster.Listed, HttpResponse<Object>> then) {
        Optional<FleetRoster.Listed> s = board.find(name);
        if (s.isEmpty()) return HttpResponse.<Object>notFound(Map.of("error", board.unknown(name))).contentType(MediaType.APPLICATION_JSON_TYPE);
        return then.apply(s.get());
    }

    /** Runs {@code action} on the store while it streams; 409 saying why not otherwise (a stopped store is acted on by the commands). */
    private HttpResponse<Object> streaming(String name, String action, Function<Replicator, HttpResponse<Object>> then) {
        return known(name, s -> {
            Replicator r = board.streaming(s);
            if (r != null) return then.apply(r);
            return HttpResponse.status(HttpStatus.CONFLICT).body(Map.of("error", "store " + name + " is not streaming (" + s.outcome().toLowerCase()
                    + "), so this process cannot " + action + " it; use `" + action + " --stores FILE --store " + name + "`"));
        });
    }

    private static HttpResponse<Map<String, Object>> answer(Map<String, Object> health) {
        return FleetHealth.UP.equals(health.get("status")) ? HttpResponse.ok(health) : HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body(health);
    }
}
