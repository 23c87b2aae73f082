package io.replicator.translate.plan;

/**
 * Something the plan found. ERROR blocks the snapshot (exit 3: data that cannot move without loss);
 * WARNING is something not carried over (a default, a CHECK, a view, a trigger) that the user must know;
 * NOTE is a decision the tool took (a type, a renamed identifier).
 */
public record Problem(Level level, String table, String column, String message) {
    public enum Level { ERROR, WARNING, NOTE }

    public String where() {
        return table == null ? "" : (column == null ? table : table + "." + column);
    }

    @Override
    public String toString() {
        String w = where();
        return level + (w.isEmpty() ? "" : " " + w) + ": " + message;
    }
}
