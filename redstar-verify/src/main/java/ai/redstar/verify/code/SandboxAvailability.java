package ai.redstar.verify.code;

import java.util.Objects;

/**
 * Whether the bubblewrap sandbox can run here, found by running a trivial program in it once per configuration.
 *
 * @param available whether sandboxed runs are possible
 * @param detail how it was checked, or why it failed (the missing file, bubblewrap's own error message)
 */
public record SandboxAvailability(boolean available, String detail) {
    public SandboxAvailability {
        Objects.requireNonNull(detail, "detail");
    }
}
