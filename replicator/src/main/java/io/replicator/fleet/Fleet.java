package io.replicator.fleet;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.replicator.control.ControlPlane;
import io.replicator.control.FleetBoard;
import io.replicator.control.FleetRoster;
import io.replicator.control.LiveStores;
import io.replicator.core.ExitCode;
import io.replicator.core.ReplicatorException;
import io.replicator.run.BackgroundStart;
import io.replicator.run.ControlPlaneSettings;
import io.replicator.run.FleetShare;
import io.replicator.run.KafkaStart;
import io.replicator.run.RunSettings;
import io.replicator.run.StopSignal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code run --stores FILE}: many SQLite files, each into its own schema through its own topic, in one process on one
 * Kafka (embedded under the state directory, or {@code --kafka}). Snapshots are taken one at a time in priority order
 * ({@link SnapshotOrder}); every store then streams on its own ({@link StoreRun}), so one store's failure stops that
 * store only. The stores file is read again when it changes: a store added starts, a store removed stops (its state
 * stays, so adding it back resumes it). A file touched with its text unchanged starts the failed stores again (the
 * operator fixed their cause). A store whose file or schema changed under the same name is refused until it is
 * removed and added anew. The stores' sinks share one PostgreSQL pool of {@code --pool-size} connections and one
 * lock session ({@link FleetShare}), so an idle store holds no connection.
 *
 * <p>One HTTP control plane serves the whole fleet ({@link FleetBoard}: {@code /stores}, each store's status, health,
 * lag and actions under {@code /stores/<name>}, one {@code /metrics}), and one registry holds the JVM's meters once
 * and each streaming store's meters labelled with its name ({@link LiveStores}); a store's meters leave with it.
 *
 * <p>The process ends when asked to (Ctrl-C / SIGTERM; the exit status is then the signal's, 130 or 143) or when no
 * store is left running: 0 unless a store failed, then that store's exit code (3 before 4 before 2). Either way
 * the last lines name each store's outcome.
 */
public final class Fleet {
    /**
     * Snapshots of one priority taken at the same time. Copying a small store is mostly waiting on PostgreSQL's DDL
     * and commits, so 100 stores one after another took 63 s to start on 2 cores; a large store's copy is parallel
     * within itself already (--workers), so more at once would only share the same cores.
     */
    static final int SNAPSHOTS_AT_ONCE = 4;
    /** How often the stores file's modification time is looked at. */
    private static final Duration RELOAD_CHECK = Duration.ofSeconds(2);
    private static final Duration STOP_GRACE = Duration.ofSeconds(50);

    private final Path file;
    private final String kafkaFlag;
    private final Path stateDir;
    private final Function<Store, RunSettings> settingsFor;
    private final ControlPlaneSettings http;
    /** Every run this fleet started, by store name; touched by the fleet's thread only. */
    private final Map<String, StoreRun> runs = new LinkedHashMap<>();
    /** The runs of the stores the file lists, in file order: written by the fleet's thread, read by the control plane's. */
    private volatile List<StoreRun> listed = List.of();
    /** The listed stores' gauges, in the fleet's registry; set when the fleet starts. */
    private ListedMeters listedMeters;
    private final SnapshotOrder order = new SnapshotOrder(SNAPSHOTS_AT_ONCE);
    /** The PostgreSQL pool, lock session and timer the stores share while the fleet runs. */
    private FleetShare share;
    /** The stores file's text as last applied: the same text with a new time is a touch. */
    private String applied;

    /**
     * @param settingsFor the main job's settings for one store (its file, schema, topic and state directory; every
     *                    other flag as given to {@code run}; its own control plane disabled)
     * @param http        the fleet's one control plane; its token file is kept in {@code stateDir}
     */
    public Fleet(Path file, String kafkaFlag, Path stateDir, Function<Store, RunSettings> settingsFor, ControlPlaneSettings http) {
        this.file = file;
        this.kafkaFlag = kafkaFlag;
        this.stateDir = stateDir;
        this.settingsFor = settingsFor;
        this.http = http;
    }

    public int run(StopSignal stop) throws InterruptedException {
        applied = text();
        List<Store> stores = StoresFile.read(file);
        List<RunSettings> settings = stores.stream().map(settingsFor).toList(); // every store checked before any starts
        System.err.println("fleet: " + stores.size() + " store(s) from " + file + " " + byPriority(stores));
        long seen = modified();
        RunSettings first = settings.get(0); // the target and pool size are the same for every store: run's flags
        try (LiveStores live = new LiveStores();
             // the shared pool's meters, once (pool="replicator-sink.shared", no store label: it is no one store's)
             FleetShare share = FleetShare.open(first.target(), first.poolSize(), new MicrometerMetricsTrackerFactory(live.meters().registry()));
             KafkaStart kafka = KafkaStart.begin(kafkaFlag, stateDir);
             BackgroundStart<ControlPlane> plane = BackgroundStart.of("control-plane", !http.enabled() ? null
                     : () -> ControlPlane.startFleet(new FleetBoard(roster(), live), http.host(), http.port(), http.token(), stateDir))) {
            this.share = share;
            listedMeters = new ListedMeters(live.meters().registry(), this::listedRun);
            try {
                for (int i = 0; i < stores.size(); i++) start(stores.get(i), settings.get(i), kafka, live);
                list(stores);
                long nextCheck = System.nanoTime() + RELOAD_CHECK.toNanos();
                while (!stop.await(Duration.ofMillis(200))) {
                    plane.ifStarted(cp -> System.err.println("control plane: " + cp.url() + " (fleet page /, /stores, /health, /status, /metrics;"
                            + " /stores/<name>/status|health|lag; POST /stores/<name>/cutover|replay with the token)"));
                    if (runs.values().stream().noneMatch(StoreRun::alive)) {
                        System.err.println("fleet: no store is running any more");
                        break;
                    }
                    if (System.nanoTime() < nextCheck) continue;
                    nextCheck = System.nanoTime() + RELOAD_CHECK.toNanos();
                    long m = modified();
                    if (m != seen) {
                        seen = m;
                        reload(kafka, live);
                    }
                }
            } finally { // also when the control plane cannot start: no store is left running on a closed Kafka
                runs.values().forEach(StoreRun::requestStop);
                long deadline = System.nanoTime() + STOP_GRACE.toNanos();
                for (StoreRun r : runs.values()) r.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        }
        return summary();
    }

    private void start(Store store, RunSettings settings, KafkaStart kafka, LiveStores live) {
        runs.put(store.name(), StoreRun.start(store, settings, kafka, order.enroll(store.priority()), share, live));
    }

    /** The stores the file lists now, for the control plane. */
    private void list(List<Store> stores) {
        List<StoreRun> l = new ArrayList<>();
        for (Store s : stores) {
            StoreRun r = runs.get(s.name());
            if (r != null) l.add(r);
        }
        listed = List.copyOf(l);
        listedMeters.list(l.stream().map(r -> r.store().name()).collect(Collectors.toSet()));
    }

    private StoreRun listedRun(String name) {
        return listed.stream().filter(r -> r.store().name().equals(name)).findFirst().orElse(null);
    }

    private FleetRoster roster() {
        return () -> listed.stream().map(StoreRun::listed).toList();
    }

    /**
     * Applies the stores file as it is now: an edit adds and removes stores; a touch (the same text) starts the failed
     * ones again. A file that does not parse changes nothing.
     */
    private void reload(KafkaStart kafka, LiveStores live) throws InterruptedException {
        String content = text();
        boolean touched = content != null && content.equals(applied);
        List<Store> now;
        List<RunSettings> settings;
        try {
            now = StoresFile.read(file);
            settings = now.stream().map(settingsFor).toList();
        } catch (ReplicatorException e) {
            System.err.println("fleet: the stores file changed but is refused, nothing changes: " + e.getMessage());
            return;
        }
        applied = content;
        Map<String, Store> listed = now.stream().collect(Collectors.toMap(Store::name, s -> s, (a, b) -> a, LinkedHashMap::new));
        for (StoreRun r : new ArrayList<>(runs.values())) {
            Store s = listed.get(r.store().name());
            if (s == null && r.alive()) {
                System.err.println("fleet: store " + r.store().name() + " left the stores file: stopping it (its state stays; list it again to resume)");
                r.requestStop();
            } else if (s != null && (!s.sqlite().equals(r.store().sqlite()) || !s.schema().equals(r.store().schema()))) {
                System.err.println("fleet: store " + s.name() + " now names another file or schema; refused: remove it from the file, then add the"
                        + " new one under another name");
                listed.remove(s.name());
            }
        }
        for (int i = 0; i < now.size(); i++) {
            Store s = now.get(i);
            if (!listed.containsKey(s.name())) continue;
            StoreRun r = runs.get(s.name());
            if (r != null && r.alive()) continue;
            if (r != null && r.outcome() == StoreRun.Outcome.CUT_OVER) continue;
            if (r != null && r.outcome() == StoreRun.Outcome.FAILED && !touched) continue; // an edit leaves failed stores stopped
            if (r != null) r.join(Duration.ofSeconds(1));
            System.err.println("fleet: starting store " + s.name() + (r == null ? " (added)" : " again (it " + r.outcome().name().toLowerCase() + ")"));
            start(s, settings.get(i), kafka, live);
        }
        list(now);
    }

    private int summary() {
        ExitCode worst = ExitCode.OK;
        StringBuilder sb = new StringBuilder("fleet stopped:");
        for (StoreRun r : runs.values()) {
            sb.append("\n  ").append(r.store().name()).append(": ").append(r.outcome().name().toLowerCase().replace('_', ' '));
            if (r.failure() != null) {
                sb.append(" (exit ").append(r.failure().exitCode().code).append(": ").append(r.failure().getMessage()).append(')');
                worst = worse(worst, r.failure().exitCode());
            }
        }
        System.err.println(sb);
        return worst.code;
    }

    private static ExitCode worse(ExitCode a, ExitCode b) {
        List<ExitCode> rank = List.of(ExitCode.OK, ExitCode.DIFFERENCES, ExitCode.BAD_CONFIG, ExitCode.RUNTIME, ExitCode.DATA_LOSS);
        return rank.indexOf(b) > rank.indexOf(a) ? b : a;
    }

    private static String byPriority(List<Store> stores) {
        Map<Priority, List<String>> m = new LinkedHashMap<>();
        for (Store s : stores) m.computeIfAbsent(s.priority(), p -> new ArrayList<>()).add(s.name());
        return m.entrySet().stream().map(e -> e.getKey() + ": " + String.join(", ", e.getValue())).collect(Collectors.joining("; ", "(", ")"));
    }

    private String text() {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return null;
        }
    }

    private long modified() {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }
}
