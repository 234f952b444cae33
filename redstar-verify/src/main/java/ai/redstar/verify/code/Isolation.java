package ai.redstar.verify.code;

/** How a program was run. */
public enum Isolation {
    /** In a bubblewrap sandbox: see the package documentation for what that guarantees. */
    BUBBLEWRAP,
    /**
     * Directly as a child process, with the resource limits but without any isolation, because bubblewrap is
     * unavailable and the sandbox was built with {@code allowUnsandboxed(true)}.
     */
    UNSANDBOXED,
    /** Not run at all: no code was found, or no sandbox was available and unsandboxed runs are not allowed. */
    NOT_RUN
}
