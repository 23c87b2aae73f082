package io.replicator.verify;

/** One row of a differing chunk, as one side holds it: for naming differences. */
record RowEntry(long chunk, String key, String display, String digest) {}
