package io.replicator.metrics;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The test's PromQL reader finds the metric names of the kinds of expression the dashboard and the rules use. */
class PromQlNamesTest {
    @Test
    void namesOutOfFunctionsMatchersRangesAndGrouping() {
        assertEquals(Set.of("replicator_lag_seconds"), PromQlNames.of("max by (store) (replicator_lag_seconds{store=~\"$store\"}) > 60"));
        assertEquals(Set.of("replicator_apply_latency_seconds_bucket"),
                PromQlNames.of("histogram_quantile(0.99, sum by (le) (rate(replicator_apply_latency_seconds_bucket{store=~\"$store\"}[$__rate_interval])))"));
        assertEquals(Set.of("replicator_changelog_rows", "replicator_changelog_oldest_seq"),
                PromQlNames.of("delta(replicator_changelog_rows[2h]) > 0 and changes(replicator_changelog_oldest_seq[2h]) == 0"));
        assertEquals(Set.of("up", "replicator_build_info"), PromQlNames.of("up{job=\"replicator\"} == 0 or absent(replicator_build_info) * 1e3"));
        assertEquals(Set.of("jvm_memory_used_bytes"), PromQlNames.of("sum without (id) (jvm_memory_used_bytes{area=\"heap\"}) offset 5m"));
    }
}
