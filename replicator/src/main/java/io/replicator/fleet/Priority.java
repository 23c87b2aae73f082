package io.replicator.fleet;

import io.replicator.core.ReplicatorException;

import java.util.Locale;

/** A store's place in a fleet's order: P0 is snapshotted and caught up first, then P1, then P2 (the default). */
public enum Priority {
    P0, P1, P2;

    public static Priority parse(String store, String value) {
        if (value == null) return P2;
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ReplicatorException.config("stores file: store " + store + ": priority must be P0, P1 or P2, got '" + value + "'");
        }
    }
}
