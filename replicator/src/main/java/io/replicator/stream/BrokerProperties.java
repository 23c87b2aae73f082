package io.replicator.stream;

import java.nio.file.Path;
import java.util.Properties;

/**
 * The configuration of the {@link EmbeddedKafka} node: combined KRaft mode ({@code process.roles=broker,controller},
 * node id {@value #NODE_ID}) with a static one-voter quorum, listening on {@value #HOST} only (PLAINTEXT for clients,
 * CONTROLLER for the quorum), replication factor 1 everywhere. Only the two ports and the data directory vary;
 * the same inputs always give the same properties.
 */
final class BrokerProperties {
    /** The only address the broker listens on: the feed is local to this process. */
    static final String HOST = "127.0.0.1";
    static final int NODE_ID = 1;
    /** The broker's session with its controller (see the comment in {@link #of}). */
    private static final int SESSION_TIMEOUT_MS = 1_500;

    private BrokerProperties() {}

    /** The node's properties for {@code KafkaConfig.fromProps}. */
    static Properties of(Path dir, int clientPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", String.valueOf(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + clientPort + ",CONTROLLER://" + HOST + ":"
                + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", dir.toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "true");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // After a kill, the controller keeps the dead broker's registration until its session times out, and the
        // restarted broker cannot register before that (DuplicateBrokerRegistrationException): with the default
        // 9 s every restart after a crash waited about 10 s for Kafka. Broker and controller share this process, so
        // a short session costs nothing but a heartbeat every 250 ms; a stall longer than the session fences the
        // broker for a moment, and clients retry.
        p.setProperty("broker.session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MS));
        p.setProperty("broker.heartbeat.interval.ms", "250");
        return p;
    }
}
