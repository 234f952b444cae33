package ai.redstar.data;

/** What a run does when the teacher cannot sample a problem (its retries exhausted). */
public enum SamplerFailure {
    /**
     * Stop the run with the teacher's exception. Everything finished before stays written and journaled; running
     * again continues from there. The default.
     */
    STOP,
    /**
     * Log the failure, count it in the report, and go on with the next problem. The failed problem is not journaled,
     * so the next run into the same directory tries it again.
     */
    SKIP_PROBLEM
}
