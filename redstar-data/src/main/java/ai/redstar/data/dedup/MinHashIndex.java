package ai.redstar.data.dedup;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The LSH buckets of the documents kept so far: one 64-bit key per band (the band's index and values, hashed) mapped
 * to the first document that had it. {@link #add} reports a near-duplicate when any band of the new signature is
 * already present, and otherwise records the document; near-duplicates are not recorded, so each match names a kept
 * document. About {@code bands × 34} to {@code bands × 68} bytes per kept document (16 bands: 0.5 to 1 KiB).
 *
 * <p>Thread-safe: {@link #add} and {@link #find} are synchronised; compute signatures outside, in parallel.
 */
public final class MinHashIndex {
    private final MinHash minHash;
    private final LongLongTable buckets = new LongLongTable(4096);
    private int documents;

    MinHashIndex(MinHash minHash) {
        this.minHash = minHash;
    }

    public MinHash minHash() {
        return minHash;
    }

    /**
     * Records document {@code docId} unless it shares a band with one recorded before.
     *
     * @return the id of the earlier document sharing a band (the first band that matches), or empty when the
     *     document was recorded
     */
    public synchronized OptionalLong add(int[] signature, long docId) {
        long[] keys = keys(signature);
        for (long key : keys) {
            OptionalLong earlier = buckets.get(key);
            if (earlier.isPresent()) {
                return earlier;
            }
        }
        for (long key : keys) {
            buckets.putIfAbsent(key, docId);
        }
        documents++;
        return OptionalLong.empty();
    }

    /** The earlier document sharing a band with {@code signature}, without recording it. */
    public synchronized OptionalLong find(int[] signature) {
        for (long key : keys(signature)) {
            OptionalLong earlier = buckets.get(key);
            if (earlier.isPresent()) {
                return earlier;
            }
        }
        return OptionalLong.empty();
    }

    /** Documents recorded (near-duplicates excluded). */
    public synchronized int size() {
        return documents;
    }

    private long[] keys(int[] signature) {
        Objects.requireNonNull(signature, "signature");
        int rows = minHash.rows();
        int bands = minHash.bands();
        if (signature.length != rows * bands) {
            throw new IllegalArgumentException("signature has " + signature.length + " values; this index needs "
                    + rows * bands + " (" + bands + " bands x " + rows + " rows)");
        }
        long[] keys = new long[bands];
        for (int band = 0; band < bands; band++) {
            long h = 0x9E3779B97F4A7C15L * (band + 1);
            for (int r = 0; r < rows; r++) {
                h = MinHash.mix(h ^ (signature[band * rows + r] & 0xFFFFFFFFL));
            }
            keys[band] = h;
        }
        return keys;
    }
}
