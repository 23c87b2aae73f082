package io.replicator.core.codec;

/**
 * PostgreSQL's {@code hash_bytes_extended}, the 64-bit hash behind {@code hashtextextended(text, seed)} (Bob
 * Jenkins' lookup3 mixing, words read little-endian as on the machines PostgreSQL runs on), so a checksum
 * PostgreSQL computes over a text can be matched here over the same UTF-8 bytes. Tested against PostgreSQL.
 */
public final class PgHash {
    private PgHash() {}

    public static long hashBytesExtended(byte[] k, int off, int len, long seed) {
        int a, b, c;
        a = b = c = 0x9e3779b9 + len + 3923095;
        if (seed != 0) {
            a += (int) (seed >>> 32);
            b += (int) seed;
            // mix(a, b, c)
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        }
        int i = off;
        int n = len;
        while (n >= 12) {
            a += u32(k, i);
            b += u32(k, i + 4);
            c += u32(k, i + 8);
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            i += 12;
            n -= 12;
        }
        switch (n) { // the last 11 bytes; the lowest byte of c is left for nothing, as in PostgreSQL
            case 11:
                c += (k[i + 10] & 0xff) << 24;
            case 10:
                c += (k[i + 9] & 0xff) << 16;
            case 9:
                c += (k[i + 8] & 0xff) << 8;
            case 8:
                b += u32(k, i + 4);
                a += u32(k, i);
                break;
            case 7:
                b += (k[i + 6] & 0xff) << 16;
            case 6:
                b += (k[i + 5] & 0xff) << 8;
            case 5:
                b += k[i + 4] & 0xff;
            case 4:
                a += u32(k, i);
                break;
            case 3:
                a += (k[i + 2] & 0xff) << 16;
            case 2:
                a += (k[i + 1] & 0xff) << 8;
            case 1:
                a += k[i] & 0xff;
                break;
            default:
                break;
        }
        // final(a, b, c)
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return ((long) b << 32) | (c & 0xffffffffL);
    }

    public static long hashBytesExtended(byte[] k, long seed) {
        return hashBytesExtended(k, 0, k.length, seed);
    }

    private static int u32(byte[] k, int i) {
        return (k[i] & 0xff) | (k[i + 1] & 0xff) << 8 | (k[i + 2] & 0xff) << 16 | (k[i + 3] & 0xff) << 24;
    }
}
