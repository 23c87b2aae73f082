package io.replicator.run;

import io.replicator.core.PostgresUrl;
import io.replicator.core.ReplicatorException;
import io.replicator.state.SinkState;

import java.sql.Connection;
import java.sql.SQLException;

/** Where the sink of {@code run} starts. */
final class SinkStart {
    private SinkStart() {}

    /**
     * The sink starts at the snapshot's changelog mark. After a new snapshot ({@code kafkaOffset} >= 0) it also starts
     * after everything already in the topic (events of earlier runs, which the new snapshot covers).
     */
    static void preparePosition(PostgresUrl target, String schema, String topic, long handOff, long kafkaOffset) {
        try (Connection c = target.connect("replicator-run")) {
            SinkState.ensure(c);
            SinkState st = SinkState.read(c, schema);
            if (st == null || kafkaOffset >= 0 || st.seq() < handOff) SinkState.reset(c, schema, topic, handOff, kafkaOffset);
        } catch (SQLException e) {
            throw ReplicatorException.runtime("cannot prepare the sink position in " + target.redacted() + ": " + e.getMessage(), e);
        }
    }
}
