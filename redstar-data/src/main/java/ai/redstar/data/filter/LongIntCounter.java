package ai.redstar.data.filter;

import java.util.Arrays;

/**
 * Counts occurrences of 64-bit keys in an open-addressing table that is reused between texts without clearing: an
 * entry is live when its stamp equals the current one. Keys must already be well mixed. Not thread-safe.
 */
final class LongIntCounter {
    private long[] keys;
    private int[] counts;
    private int[] stamps;
    private int stamp = 1;
    private int size;
    private int mask;

    LongIntCounter(int capacity) {
        allocate(Integer.highestOneBit(Math.max(16, capacity - 1)) << 1);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        counts = new int[capacity];
        stamps = new int[capacity];
        mask = capacity - 1;
    }

    /** Forgets every key. */
    void reset() {
        size = 0;
        if (++stamp == Integer.MAX_VALUE) {
            Arrays.fill(stamps, 0);
            stamp = 1;
        }
    }

    int size() {
        return size;
    }

    /** Counts one more occurrence of {@code key}; returns its count so far, this one included. */
    int increment(long key) {
        if (size * 2 >= keys.length) {
            grow();
        }
        int i = (int) (key ^ (key >>> 32)) & mask;
        while (true) {
            if (stamps[i] != stamp) {
                stamps[i] = stamp;
                keys[i] = key;
                counts[i] = 1;
                size++;
                return 1;
            }
            if (keys[i] == key) {
                return ++counts[i];
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldCounts = counts;
        int[] oldStamps = stamps;
        int oldStamp = stamp;
        allocate(oldKeys.length * 2);
        stamp = 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldStamps[j] == oldStamp) {
                int i = (int) (oldKeys[j] ^ (oldKeys[j] >>> 32)) & mask;
                while (stamps[i] == stamp) {
                    i = (i + 1) & mask;
                }
                stamps[i] = stamp;
                keys[i] = oldKeys[j];
                counts[i] = oldCounts[j];
            }
        }
    }

    /** Murmur3's 64-bit finaliser: spreads every input bit over the output. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
