package ai.redstar.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * The keys and values of the tokens a {@link CausalLm} has already seen, for incremental decoding.
 *
 * <p>Made by {@link CausalLm#newKvCache(int, int, NDManager)}: for every layer a preallocated
 * {@code [batch, kvHeads, capacity, headDim]} float32 buffer for keys and one for values, written in place as chunks
 * arrive (faster than concatenation), and the segment ids of the cached positions ({@code [batch, capacity]} int64),
 * so that new tokens follow the segment rule of {@link AttentionMasks}. {@link CausalLm#forward(NDArray, NDArray,
 * NDArray, KvCache)} appends one chunk and advances {@link #length()} only when the whole forward pass succeeded.
 *
 * <p>The cache is for inference: what it stores is detached from autograd, so gradients of a chunk never flow into
 * the keys and values of earlier chunks (train on whole sequences instead).
 *
 * <p>The cache owns its buffers (a sub-manager of the manager it was made with) until {@link #close()}. It is not
 * thread-safe: one decoding loop uses it at a time.
 */
public final class KvCache implements AutoCloseable {
    private final Object owner;
    private final NDManager manager;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int capacity;
    private final NDArray[] keys;
    private final NDArray[] values;
    private NDArray segments;
    private int batch;
    private int length;
    private boolean closed;

    KvCache(Object owner, ModelConfig config, int batch, int capacity, NDManager parent, Device device) {
        if (batch <= 0 || capacity <= 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "KV cache batch and capacity must be positive, got batch %d and capacity %d", batch, capacity));
        }
        this.owner = owner;
        this.manager = parent.newSubManager(device);
        this.layers = config.numHiddenLayers();
        this.kvHeads = config.numKeyValueHeads();
        this.headDim = config.headDim();
        this.capacity = capacity;
        this.batch = batch;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        Shape shape = new Shape(batch, kvHeads, capacity, headDim);
        for (int layer = 0; layer < layers; layer++) {
            keys[layer] = own(manager.zeros(shape, DataType.FLOAT32));
            values[layer] = own(manager.zeros(shape, DataType.FLOAT32));
        }
        segments = own(manager.zeros(new Shape(batch, capacity), DataType.INT64));
    }

    /** Keeps an array out of any enclosing {@link NDScope}: the cache, not the caller's step, owns it. */
    private static NDArray own(NDArray array) {
        NDScope.unregister(array);
        return array;
    }

    /** Number of rows (sequences). */
    public int batch() {
        return batch;
    }

    /** Number of cached positions per row (the same for every row). */
    public int length() {
        return length;
    }

    /** Maximum number of positions per row. */
    public int capacity() {
        return capacity;
    }

    /**
     * A copy of the segment ids of the cached positions.
     *
     * @param target the manager that will own the copy
     * @return {@code [batch, length]} int64
     */
    public NDArray segmentIds(NDManager target) {
        checkOpen();
        try (NDArray view = segments.get(new NDIndex().addAllDim().addSliceDim(0, length))) {
            NDArray copy = view.toType(DataType.INT64, true);
            copy.attach(target);
            return copy;
        }
    }

    /**
     * Keeps the rows {@code rowIndices} in that order, e.g. to drop finished sequences or to duplicate a prompt's
     * cache; {@link #batch()} becomes the number of indices.
     *
     * @param rowIndices {@code [n]} int64 row numbers in {@code [0, batch)}, repeats allowed; owned by the caller
     * @throws IllegalArgumentException when the indices are not a non-empty int64 vector of valid rows
     */
    public void keepRows(NDArray rowIndices) {
        checkOpen();
        Shape shape = rowIndices.getShape();
        if (shape.dimension() != 1 || shape.get(0) == 0 || rowIndices.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "row indices must be a non-empty [n] int64 vector, got shape %s of %s",
                    shape, rowIndices.getDataType()));
        }
        long[] rows = rowIndices.toLongArray();
        for (long row : rows) {
            if (row < 0 || row >= batch) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "row index %d is outside the cache's batch [0, %d)", row, batch));
            }
        }
        try (NDArray index = manager.create(rows)) {
            for (int layer = 0; layer < layers; layer++) {
                keys[layer] = replace(keys[layer], index);
                values[layer] = replace(values[layer], index);
            }
            segments = replace(segments, index);
        }
        batch = rows.length;
    }

    private NDArray replace(NDArray old, NDArray index) {
        NDArray kept = own(old.get(index));
        kept.attach(manager);
        old.close();
        return kept;
    }

    /**
     * Forgets every position at or after {@code newLength} (for example to reuse a prompt's cache for another
     * continuation).
     *
     * @throws IllegalArgumentException when {@code newLength} is negative or above {@link #length()}
     */
    public void truncate(int newLength) {
        checkOpen();
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "cannot truncate a KV cache of length %d to %d", length, newLength));
        }
        length = newLength;
    }

    // ---- used by CausalLm ------------------------------------------------------------------------------------

    boolean belongsTo(Object model) {
        return owner == model && !closed;
    }

    /** Checks that {@code count} more positions fit and writes their segment ids at {@code [length, length+count)}. */
    void writeSegments(NDArray newSegments) {
        checkOpen();
        long count = newSegments.getShape().get(1);
        if (length + count > capacity) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "KV cache capacity %d exceeded: %d cached + %d new positions; make the cache with a larger"
                            + " capacity", capacity, length, count));
        }
        segments.set(new NDIndex().addAllDim().addSliceDim(length, length + count), newSegments);
    }

    /** Segment ids of positions {@code [0, end)}: a view, valid until the next {@link #keepRows}. */
    NDArray segments(long end) {
        return segments.get(new NDIndex().addAllDim().addSliceDim(0, end));
    }

    /** Writes a layer's keys and values {@code [batch, kvHeads, count, headDim]} at {@code [length, length+count)}. */
    void write(int layer, NDArray newKeys, NDArray newValues) {
        long count = newKeys.getShape().get(2);
        NDIndex slots = new NDIndex().addAllDim(2).addSliceDim(length, length + count);
        // Detached: the cache is for inference and must never join (and grow) an autograd graph.
        try (NDArray k = newKeys.stopGradient(); NDArray v = newValues.stopGradient()) {
            keys[layer].set(slots, k);
            values[layer].set(slots, v);
        }
    }

    /** A layer's keys {@code [batch, kvHeads, end, headDim]}: a view into the buffer. */
    NDArray keys(int layer, long end) {
        return keys[layer].get(new NDIndex().addAllDim(2).addSliceDim(0, end));
    }

    /** A layer's values {@code [batch, kvHeads, end, headDim]}: a view into the buffer. */
    NDArray values(int layer, long end) {
        return values[layer].get(new NDIndex().addAllDim(2).addSliceDim(0, end));
    }

    /** Makes {@code count} positions written by the last forward pass part of the cache. */
    void advance(long count) {
        length += (int) count;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this KV cache is closed");
        }
    }

    /** Frees the buffers. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "KvCache{batch=%d, length=%d, capacity=%d, layers=%d}",
                batch, length, capacity, layers);
    }
}
