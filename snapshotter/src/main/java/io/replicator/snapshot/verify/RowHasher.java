package io.replicator.snapshot.verify;

import io.replicator.core.codec.Canonical;
import io.replicator.core.types.PgType;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Canonical bytes of a row's key and of the whole row, and their hashes. The key hash picks a bucket; the
 * row hash (128 bits of MD5: collisions are not a practical concern for equality of data) is summed per
 * bucket, which makes the comparison independent of row order on either side.
 */
final class RowHasher {
    private final ByteArrayOutputStream key = new ByteArrayOutputStream(64);
    private final ByteArrayOutputStream row = new ByteArrayOutputStream(256);
    private final MessageDigest md5;

    RowHasher() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void reset() {
        key.reset();
        row.reset();
    }

    void key(PgType t, Object v) {
        Canonical.append(t, v, key);
    }

    void column(PgType t, Object v) {
        Canonical.append(t, v, row);
    }

    /** A value SQLite holds that the PostgreSQL column type cannot: never equal to anything PostgreSQL returns. */
    void unconvertible(String display) {
        row.write(0xFF);
        byte[] b = display.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        row.write(b, 0, b.length);
    }

    byte[] keyBytes() {
        return key.toByteArray();
    }

    long keyHash() {
        byte[] b = key.toByteArray();
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h ^= x & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /** 128-bit hash of key + row. */
    long[] rowHash() {
        md5.reset();
        md5.update(key.toByteArray());
        md5.update(row.toByteArray());
        byte[] d = md5.digest();
        long a = 0, b = 0;
        for (int i = 0; i < 8; i++) a = (a << 8) | (d[i] & 0xff);
        for (int i = 8; i < 16; i++) b = (b << 8) | (d[i] & 0xff);
        return new long[] {a, b};
    }
}
