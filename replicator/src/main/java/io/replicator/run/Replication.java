package io.replicator.run;

import io.replicator.capture.CaptureInstaller;
import io.replicator.control.ControlPlane;
import io.replicator.control.LiveStores;
import io.replicator.control.Replicator;
import io.replicator.metrics.ClientMeters;
import io.replicator.metrics.ProcessMeters;
import io.replicator.status.LivePositions;
import io.replicator.status.Positions;
import io.replicator.core.ReplicatorException;
import io.replicator.sink.OrphanWatch;
import io.replicator.sink.Sink;
import io.replicator.sink.SinkSettings;
import io.replicator.stream.ChangeFeed;
import io.replicator.stream.FeedSettings;
import io.replicator.stream.FeedTopic;
import io.replicator.stream.KafkaTarget;

import java.time.Duration;

/**
 * The main job: install capture, take the snapshot (or start an interrupted one over), then stream SQLite's changes
 * through Kafka and apply them to PostgreSQL until stopped. Every step resumes from stored state, so restarting
 * after any stop or crash is resuming. {@code run} parses its flags into {@link RunSettings} and calls this.
 *
 * <p>Start-up overlaps what can: the embedded broker comes up on its own thread while capture and the snapshot
 * state are checked, and the control plane starts in the background, so streaming waits for neither.
 */
public final class Replication {
    private final RunSettings s;
    /** Printed before each line in a fleet ({@code [memory] }); empty for a single store. */
    private final String prefix;
    /** The {@code store} label of this store's meters: its name in a fleet, else its schema. */
    private final String label;
    /** A fleet's control plane and shared meters, or null: a single store has its own. */
    private final LiveStores fleet;

    public Replication(RunSettings settings) {
        this(settings, null, null);
    }

    /**
     * @param store the store's name in a fleet, or null
     * @param fleet where a fleet's store registers while it streams (the fleet's one control plane and registry), or null
     */
    public Replication(RunSettings settings, String store, LiveStores fleet) {
        this.s = settings;
        this.prefix = store == null ? "" : "[" + store + "] ";
        this.label = store == null ? settings.schema() : store;
        this.fleet = fleet;
    }

    /** Runs until {@code stop} is asked for, the cutover is recorded, or the feed or the sink fails (thrown). */
    public void run(StopSignal stop) throws InterruptedException {
        if (cutOver()) return;
        try (KafkaStart kafkaStart = KafkaStart.begin(s.kafka(), s.feed().stateDir())) {
            run(stop, kafkaStart, SnapshotTurn.NOW, FleetShare.NONE);
        }
    }

    /** True, with a word, when the schema was cut over: nothing is left to replicate. */
    public boolean cutOver() {
        if (!StartState.cutOver(s.target(), s.schema())) return false;
        System.err.println(prefix + "schema " + s.schema() + " was cut over (see replicator.cutover): there is nothing left to replicate");
        return true;
    }

    /**
     * One store on a Kafka the caller opened (a fleet shares one): capture, the snapshot when {@code turn} allows,
     * then streaming until {@code stop}, the cutover, or a failure (thrown). The sink applies through
     * {@code share}'s pool when it has one.
     */
    public void run(Stop stop, KafkaStart kafkaStart, SnapshotTurn turn, FleetShare share) throws InterruptedException {
        CaptureInstaller.Installed cap = new CaptureInstaller(s.source()).install();
        System.err.println(prefix + "capture installed on " + cap.tables().size() + " table(s); changelog at seq " + cap.changelogSeq());
        boolean fresh;
        turn.await();
        try {
            fresh = new SnapshotStep(s).runIfNeeded();
        } finally {
            turn.done();
        }
        long handOff = HandOff.position(s.source(), s.target(), s.schema());
        FeedSettings feed = s.feed().withStartSeq(handOff);
        KafkaTarget kafka = kafkaStart.await();
        FeedTopic.ensure(kafka.bootstrapServers(), feed.topic());
        SinkStart.preparePosition(s.target(), s.schema(), feed.topic(), handOff,
                fresh ? FeedTopic.endOffset(kafka.bootstrapServers(), feed.topic()) - 1 : -1);
        stream(stop, feed, kafka, share);
    }

    private void stream(Stop stop, FeedSettings feed, KafkaTarget kafka, FleetShare share) throws InterruptedException {
        ProcessMeters own = fleet == null ? new ProcessMeters() : null; // a fleet's stores share the fleet's
        try (own) {
            ProcessMeters meters = own != null ? own : fleet.meters();
            ClientMeters clients = new ClientMeters(meters, label);
            try (ChangeFeed f = ChangeFeed.start(feed, kafka.bootstrapServers(), clients);
                 Sink sink = Sink.start(sinkSettings(feed, kafka, clients, share));
                 OrphanWatch orphans = share.orphanTimer() == null ? OrphanWatch.start(s.target(), s.schema(), s.orphanCheckInterval())
                         : OrphanWatch.start(s.target(), s.schema(), s.orphanCheckInterval(), share.orphanTimer());
                 BackgroundStart<ControlPlane> http = BackgroundStart.of("control-plane", !s.http().enabled() ? null
                         : () -> ControlPlane.start(new Replicator(s.source(), s.target(), s.schema(), feed.stateDir(), kafka.bootstrapServers(), f, sink, meters),
                                 s.http().host(), s.http().port(), s.http().token(), feed.stateDir()));
                 // in a fleet: shown by the fleet's control plane until it stops; closing removes its meters
                 LiveStores.Registration shown = fleet == null ? null : fleet.register(label,
                         new Replicator(s.source(), s.target(), s.schema(), feed.stateDir(), kafka.bootstrapServers(), f, sink, meters, label))) {
                streamUntilStopped(stop, feed, kafka, f, sink, http);
            }
        }
    }

    private SinkSettings sinkSettings(FeedSettings feed, KafkaTarget kafka, ClientMeters clients, FleetShare share) {
        SinkSettings.Builder b = SinkSettings.builder(kafka.bootstrapServers(), feed.topic(), s.schema(), s.target())
                .onPoison(s.onError()).poolSize(s.poolSize()).maxRetryTime(s.maxRetryTime()).instruments(clients);
        if (share.target() != null) b.shared(share.target());
        return b.build();
    }

    private void streamUntilStopped(Stop stop, FeedSettings feed, KafkaTarget kafka, ChangeFeed f, Sink sink, BackgroundStart<ControlPlane> http)
            throws InterruptedException {
        LivePositions positions = new LivePositions(s.source(), f, sink);
        System.err.println(prefix + "replicating " + s.source().path() + " -> " + s.target().redacted() + " schema " + s.schema() + " through topic "
                + feed.topic() + " on " + kafka.describe() + "; Ctrl-C stops");
        long nextStatus = System.nanoTime() + s.statusInterval().toNanos();
        while (!stop.await(Duration.ofMillis(100)) && !f.await(Duration.ZERO) && !sink.await(Duration.ZERO)) {
            http.ifStarted(cp -> System.err.println("control plane: " + cp.url() + " (status page /, /health, /status, /metrics; POST /cutover with the token)"));
            if (System.nanoTime() < nextStatus) continue;
            nextStatus = System.nanoTime() + s.statusInterval().toNanos();
            if (StartState.cutOverSince(s.target(), s.schema())) {
                System.err.println(prefix + "the cutover is recorded as done: SQLite is fenced and PostgreSQL has every change; stopping");
                break;
            }
            System.err.println(prefix + statusLine(positions.current(0), sink));
        }
        ReplicatorException failure = f.failure() != null ? f.failure() : sink.failure();
        if (failure != null) throw failure;
    }

    /** One line from one positions reading (see {@link io.replicator.status.Positions}), so captured ≥ published ≥ applied. */
    static String statusLine(LivePositions.Reading reading, Sink sink) {
        Positions p = reading.positions();
        Long lagMs = p.lagMs();
        return String.format("captured %d, published %d, applied %d; lag %d change(s), %d ms; %d event(s) applied, %d dead-lettered",
                p.captured(), p.published(), p.applied(), p.lagChanges(), lagMs == null ? -1 : lagMs, sink.appliedEvents(), sink.deadLettered());
    }
}
