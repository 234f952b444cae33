package ai.redstar.verify.code;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Test support: the sandbox tests need bubblewrap; they fail without it unless told to skip. */
final class Sandboxes {

    /** Set {@code -Dredstar.sandbox.optional=true} to skip sandbox tests on a machine without bubblewrap. */
    static final String OPTIONAL = "redstar.sandbox.optional";

    private Sandboxes() {}

    static void requireAvailable(CodeSandbox sandbox) {
        SandboxAvailability a = sandbox.availability();
        if (Boolean.getBoolean(OPTIONAL)) {
            assumeTrue(a.available(), () -> "bubblewrap unavailable, tests skipped: " + a.detail());
        } else if (!a.available()) {
            fail("the code sandbox is unavailable: " + a.detail() + " (install bubblewrap, or run with -D" + OPTIONAL
                    + "=true to skip the sandbox tests)");
        }
    }
}
