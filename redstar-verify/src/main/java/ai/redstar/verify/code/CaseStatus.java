package ai.redstar.verify.code;

/** The outcome of one test case. Only {@link #PASSED} counts as passed. */
public enum CaseStatus {
    /** The output (or returned value) equals the expected one. */
    PASSED,
    /** The program finished normally with a different output or value. */
    WRONG_ANSWER,
    /** The program raised an exception, exited with a non-zero code, or was killed by a signal. */
    RUNTIME_ERROR,
    /** The case ran past its wall-clock time limit or its CPU-time limit. */
    TIMEOUT,
    /** The program ran out of its address-space limit ({@code MemoryError}). */
    MEMORY_LIMIT,
    /** The program's output (or returned value) reached the output-size limit. */
    OUTPUT_LIMIT,
    /** The sandbox failed, not the program: the case says nothing about the code. */
    SANDBOX_ERROR
}
