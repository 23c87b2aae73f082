package io.replicator.core.codec;

/** A value its target type cannot hold exactly. Carries the reason; the caller adds table, column and row. */
public final class ConversionException extends Exception {
    public ConversionException(String reason) {
        super(reason, null, false, false);
    }
}
