package io.replicator.status;

import java.util.function.LongSupplier;

/**
 * One consistent reading of the pipeline's three positions, so that every report (the {@code run} status line,
 * {@code /status}, {@code status --json}, {@code /metrics}) shows {@code captured >= published >= applied}.
 *
 * <p>The rule, in two parts:
 * <ol>
 *   <li><b>Read downstream first</b>: applied, then published, then captured. Each position only grows while it is
 *       read, and at every instant applied ≤ published ≤ captured (the sink applies only what Kafka acknowledged, the
 *       feed publishes only what the changelog holds). So a position read later is at least the true value of the
 *       one read before it: published(t2) ≥ published(t1) ≥ applied(t1), captured(t3) ≥ published(t2). Reading them
 *       the other way round is how a report showed "captured 7956, applied 8576".</li>
 *   <li><b>Published is at least applied</b>: the published position a process can see trails the truth (the
 *       feed's counter moves after Kafka's acknowledgement, which the sink may already have consumed; the stored
 *       offset file is flushed once a second). The sink applied only acknowledged events, so the applied position
 *       is a true lower bound, and the report raises published to it.</li>
 * </ol>
 * Captured is never raised: if it is below published after rule 1, the changelog went backwards (the SQLite file
 * was replaced) and the report shows it as it is.
 *
 * @param captured          newest changelog position in SQLite
 * @param published         changelog position Kafka acknowledged (≥ applied), -1 when unknown
 * @param applied           changelog position PostgreSQL reflects, -1 when unknown
 * @param appliedSourceTsMs when the feed read the last applied batch from SQLite (epoch ms), 0 when unknown
 * @param atMs              when the reading was taken (epoch ms): just before captured was read
 * @param caughtUpAtMs      the last time an earlier reading found PostgreSQL caught up (captured ≤ applied), 0 when unknown
 */
public record Positions(long captured, long published, long applied, long appliedSourceTsMs, long atMs, long caughtUpAtMs) {

    /** The three readers of one pipeline, called by {@link #read} in the order of the rule. */
    public interface Readers {
        long applied();

        /** When the feed read the batch {@link #applied} belongs to; read right after it. */
        long appliedSourceTsMs();

        long published();

        long captured();
    }

    /**
     * Reads in the order of the rule (applied, published, captured) and applies it. The time is taken before captured
     * is read: when the reading finds PostgreSQL caught up, every change captured until then is applied.
     */
    public static Positions read(Readers r, LongSupplier clockMs, long caughtUpAtMs) {
        long applied = r.applied();
        long ts = r.appliedSourceTsMs();
        long published = r.published();
        long at = clockMs.getAsLong();
        long captured = r.captured();
        return of(captured, published, applied, ts, at, caughtUpAtMs);
    }

    /** Applies rule 2 to readings taken in the order of rule 1; no earlier reading known. */
    public static Positions of(long captured, long published, long applied, long appliedSourceTsMs, long atMs) {
        return of(captured, published, applied, appliedSourceTsMs, atMs, 0);
    }

    /** Applies rule 2 to readings taken in the order of rule 1. */
    public static Positions of(long captured, long published, long applied, long appliedSourceTsMs, long atMs, long caughtUpAtMs) {
        return new Positions(captured, Math.max(published, applied), applied, appliedSourceTsMs, atMs, caughtUpAtMs);
    }

    /** When this reading found PostgreSQL caught up, its time; else the last time an earlier one did. */
    public long caughtUpSince() {
        return applied >= captured ? atMs : caughtUpAtMs;
    }

    /** Changes captured in SQLite that PostgreSQL does not reflect yet. */
    public long lagChanges() {
        return Math.max(0, captured - applied);
    }

    /** Changes captured in SQLite that Kafka has not acknowledged yet; null when published is unknown. */
    public Long unpublished() {
        return published < 0 ? null : Math.max(0, captured - published);
    }

    /**
     * How old the oldest change PostgreSQL lacks is, in ms: 0 when PostgreSQL has everything; else the smaller of two
     * bounds: the time since the feed read the last applied batch (the next change was read no earlier), and the time
     * since a reading last found PostgreSQL caught up (every change captured until then is applied, so the oldest
     * missing one is younger). The second keeps one write after an idle hour from reading as an hour of lag. Null when
     * neither time is known.
     */
    public Long lagMs() {
        if (applied >= captured) return 0L;
        long since = Math.max(appliedSourceTsMs, caughtUpAtMs); // the later start is the smaller bound
        if (since <= 0) return null;
        return Math.max(0, atMs - since);
    }

    /** {@link #lagMs} in seconds, NaN when unknown (Prometheus' "no value"). */
    public double lagSeconds() {
        Long ms = lagMs();
        return ms == null ? Double.NaN : ms / 1000.0;
    }

    /** True when the reading shows the order every report promises. */
    public boolean ordered() {
        return captured >= published && published >= applied;
    }
}
