package io.replicator.core;

/**
 * A source value that cannot be moved to its target column without changing it. Always names the table,
 * the column, the row (its key) and the value, and says how to proceed.
 */
public final class DataLossException extends ReplicatorException {
    private final String table;
    private final String column;
    private final String rowKey;
    private final String value;

    public DataLossException(String table, String column, String rowKey, String value, String reason, String hint) {
        super(ExitCode.DATA_LOSS, "cannot move " + table + "." + column + " at row " + rowKey + " without loss: value "
                + value + " " + reason + (hint == null || hint.isEmpty() ? "" : ". " + hint));
        this.table = table;
        this.column = column;
        this.rowKey = rowKey;
        this.value = value;
    }

    public String table() { return table; }
    public String column() { return column; }
    public String rowKey() { return rowKey; }
    public String value() { return value; }
}
