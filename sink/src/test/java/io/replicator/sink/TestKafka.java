package io.replicator.sink;

import org.apache.kafka.common.utils.Exit;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One real Kafka broker for the sink's tests in this JVM: Kafka's own in-process KRaft cluster
 * ({@link KafkaClusterTestKit}, one combined broker+controller node), started on first use and stopped when the JVM
 * exits. Formatted with {@link MetadataVersion#latestProduction()}, not the test kit's default (the newest
 * <em>testing</em> version). Every replication factor and min ISR is 1, as on the embedded broker of {@code run}.
 * Each test uses its own topic.
 */
final class TestKafka {
    private TestKafka() {}

    private static KafkaClusterTestKit cluster;

    static synchronized String bootstrap() {
        if (cluster == null) {
            try {
                TestKitNodes nodes = new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                        .build();
                KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("num.partitions", "1")
                        .setConfigProp("default.replication.factor", "1")
                        .setConfigProp("min.insync.replicas", "1")
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("transaction.state.log.num.partitions", "1")
                        .setConfigProp("auto.create.topics.enable", "true") // the dead-letter topic is created by its first event
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .build();
                c.format();
                c.startup();
                c.waitForReadyBrokers();
                cluster = c;
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the in-process Kafka broker for the sink's tests: " + e, e);
            }
            // The broker is stopped from a shutdown hook; a fault while it shuts down must not halt the test JVM (Kafka's
            // default halt ends the fork with status 1 after every test passed, which surefire reports as a failed fork).
            Exit.setHaltProcedure((status, message) -> System.err.println("test Kafka asked to halt (" + status + "): " + message));
            Exit.setExitProcedure((status, message) -> System.err.println("test Kafka asked to exit (" + status + "): " + message));
            Runtime.getRuntime().addShutdownHook(new Thread(TestKafka::stop, "test-kafka-stop"));
        }
        return cluster.bootstrapServers();
    }

    private static synchronized void stop() {
        try {
            cluster.close();
        } catch (Exception e) {
            // the JVM is ending
        }
    }
}
