/**
 * The idempotent sink: consumes change events and applies them to PostgreSQL with the applied position
 * stored in the same transaction. Built on the value codec of {@code io.replicator.core.codec}, so a
 * value streamed later arrives exactly as the snapshot copied it.
 */
package io.replicator.sink;
