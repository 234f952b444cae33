package ai.redstar.data.dedup;

import java.util.OptionalLong;

/** An open-addressing map from well-mixed 64-bit keys to 64-bit values, for millions of entries. Not thread-safe. */
final class LongLongTable {
    private long[] keys;
    private long[] values;
    private boolean[] used;
    private int size;
    private int mask;

    LongLongTable(int capacity) {
        allocate(Integer.highestOneBit(Math.max(16, capacity - 1)) << 1);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new long[capacity];
        used = new boolean[capacity];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    OptionalLong get(long key) {
        int i = slot(key);
        while (used[i]) {
            if (keys[i] == key) {
                return OptionalLong.of(values[i]);
            }
            i = (i + 1) & mask;
        }
        return OptionalLong.empty();
    }

    /** Stores {@code value} under {@code key} unless the key is present; returns the value present before, if any. */
    OptionalLong putIfAbsent(long key, long value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int i = slot(key);
        while (used[i]) {
            if (keys[i] == key) {
                return OptionalLong.of(values[i]);
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = key;
        values[i] = value;
        size++;
        return OptionalLong.empty();
    }

    private int slot(long key) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        boolean[] oldUsed = used;
        allocate(keys.length * 2);
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldUsed[j]) {
                int i = slot(oldKeys[j]);
                while (used[i]) {
                    i = (i + 1) & mask;
                }
                used[i] = true;
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }

    /** Murmur3's 64-bit finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
