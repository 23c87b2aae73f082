package io.replicator.translate.types;

/**
 * What a column really holds, measured over the whole table: counts per storage class, integer range and
 * longest text. The semantic counters are filled only for columns whose declared type asks for them
 * (a negative value means "not measured").
 */
public record ColumnProfile(long rows, long nulls, long integers, long reals, long texts, long blobs,
                            long minInteger, long maxInteger, long maxTextChars,
                            long integersNotBoolean, long textsNotTemporal, long textsWithOffset, long textsNotDateOnly,
                            long textsNotJson, long realsNotFitting, long realsNegativeZero, long textsNotUuid) {

    /** A profile without the UUID counter (measured only for a uuid intent). */
    public ColumnProfile(long rows, long nulls, long integers, long reals, long texts, long blobs, long minInteger, long maxInteger, long maxTextChars,
                         long integersNotBoolean, long textsNotTemporal, long textsWithOffset, long textsNotDateOnly, long textsNotJson,
                         long realsNotFitting, long realsNegativeZero) {
        this(rows, nulls, integers, reals, texts, blobs, minInteger, maxInteger, maxTextChars, integersNotBoolean, textsNotTemporal, textsWithOffset,
                textsNotDateOnly, textsNotJson, realsNotFitting, realsNegativeZero, 0);
    }

    /** This profile as if every REAL fitted the declared scale: they are rounded to it ({@code --round-to-scale}). */
    public ColumnProfile roundedToScale() {
        return new ColumnProfile(rows, nulls, integers, reals, texts, blobs, minInteger, maxInteger, maxTextChars, integersNotBoolean, textsNotTemporal,
                textsWithOffset, textsNotDateOnly, textsNotJson, 0, 0, textsNotUuid);
    }

    public long nonNull() {
        return integers + reals + texts + blobs;
    }

    public int classCount() {
        return (integers > 0 ? 1 : 0) + (reals > 0 ? 1 : 0) + (texts > 0 ? 1 : 0) + (blobs > 0 ? 1 : 0);
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (integers > 0) sb.append("integer×").append(integers).append(' ');
        if (reals > 0) sb.append("real×").append(reals).append(' ');
        if (texts > 0) sb.append("text×").append(texts).append(' ');
        if (blobs > 0) sb.append("blob×").append(blobs).append(' ');
        if (nulls > 0) sb.append("null×").append(nulls).append(' ');
        return sb.length() == 0 ? "no rows" : sb.toString().trim();
    }

    /** A profile for a column of a table with no rows yet. */
    public static ColumnProfile empty() {
        return new ColumnProfile(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
