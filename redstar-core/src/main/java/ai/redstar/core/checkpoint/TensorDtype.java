package ai.redstar.core.checkpoint;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;
import java.util.Optional;

/**
 * Element types of a safetensors file that RedStar reads and writes, named as in the format ({@code "F32"},
 * {@code "BF16"}, ...). Other types of the format (F8 variants, unsigned 16/32/64-bit, complex) are rejected by the
 * reader with a {@link CheckpointException} naming the tensor.
 *
 * <p>How each type reaches DJL when read ({@link #djlType()}): floating types (F16, BF16, F32, F64) become
 * {@code FLOAT32}, widened or narrowed in Java (DJL's PyTorch engine aborts the JVM on a BF16 dtype); I16 becomes
 * {@code INT32} (DJL's PyTorch engine aborts on INT16 too); the other integer types and BOOL keep their width.
 */
public enum TensorDtype {
    /** IEEE 754 binary32. */
    F32("F32", 4, true, DataType.FLOAT32),
    /** IEEE 754 binary16. */
    F16("F16", 2, true, DataType.FLOAT32),
    /** bfloat16: the upper half of a binary32. */
    BF16("BF16", 2, true, DataType.FLOAT32),
    /** IEEE 754 binary64 (read as FLOAT32, rounded to nearest even). */
    F64("F64", 8, true, DataType.FLOAT32),
    /** Signed 64-bit integer. */
    I64("I64", 8, false, DataType.INT64),
    /** Signed 32-bit integer. */
    I32("I32", 4, false, DataType.INT32),
    /** Signed 16-bit integer (read as INT32). */
    I16("I16", 2, false, DataType.INT32),
    /** Signed 8-bit integer. */
    I8("I8", 1, false, DataType.INT8),
    /** Unsigned 8-bit integer. */
    U8("U8", 1, false, DataType.UINT8),
    /** Boolean stored as one byte, 0 or 1 (any non-zero byte is read as true). */
    BOOL("BOOL", 1, false, DataType.BOOLEAN);

    private final String safetensorsName;
    private final int byteSize;
    private final boolean floating;
    private final DataType djlType;

    TensorDtype(String safetensorsName, int byteSize, boolean floating, DataType djlType) {
        this.safetensorsName = safetensorsName;
        this.byteSize = byteSize;
        this.floating = floating;
        this.djlType = djlType;
    }

    /** The name in a safetensors header, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Bytes per element in the file. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether this is a floating-point type (F16, BF16, F32, F64). */
    public boolean isFloating() {
        return floating;
    }

    /** The DJL type a tensor of this type has once read by {@link SafetensorsFile#read}. */
    public DataType djlType() {
        return djlType;
    }

    /** The type named {@code name} in a safetensors header (case-sensitive, as the format is), if supported. */
    public static Optional<TensorDtype> fromSafetensorsName(String name) {
        for (TensorDtype t : values()) {
            if (t.safetensorsName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /**
     * The type a DJL array of type {@code type} is stored as when its floating values are stored as
     * {@code floatStorage}.
     *
     * @throws IllegalArgumentException for DJL types safetensors files cannot hold here (unsigned 16/32/64-bit,
     *     complex, string, unknown)
     */
    static TensorDtype forStorage(DataType type, TensorDtype floatStorage) {
        return switch (type) {
            case FLOAT16, FLOAT32, FLOAT64 -> floatStorage;
            case INT64 -> I64;
            case INT32 -> I32;
            case INT16 -> I16;
            case INT8 -> I8;
            case UINT8 -> U8;
            case BOOLEAN -> BOOL;
            default -> throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "DJL data type %s cannot be stored in a safetensors file; convert the array to FLOAT32,"
                            + " INT64, INT32, INT8, UINT8 or BOOLEAN first", type));
        };
    }

    /**
     * Order of the reference writer (the safetensors Rust crate): tensors are sorted by descending rank, then
     * name, which keeps every tensor aligned to its element size once the header is padded to 8 bytes.
     */
    int referenceRank() {
        return switch (this) {
            case BOOL -> 0;
            case U8 -> 1;
            case I8 -> 2;
            case I16 -> 3;
            case F16 -> 4;
            case BF16 -> 5;
            case I32 -> 6;
            case F32 -> 7;
            case F64 -> 8;
            case I64 -> 9;
        };
    }
}
