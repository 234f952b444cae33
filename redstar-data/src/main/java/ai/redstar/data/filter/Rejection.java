package ai.redstar.data.filter;

import java.util.Locale;
import java.util.Objects;

/**
 * Why a filter dropped a trace.
 *
 * @param filter the filter's {@link TraceFilter#name() name} ("repetition")
 * @param reason the filter's reason, in lower snake case ("repeated_paragraph"); each filter lists its reasons
 * @param detail the evidence for a person ("a 214-character paragraph appears 6 times")
 */
public record Rejection(String filter, String reason, String detail) {
    public Rejection {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    /** A rejection whose reason is an enum constant, written in lower case. */
    public static Rejection of(String filter, Enum<?> reason, String detail) {
        return new Rejection(filter, reason.name().toLowerCase(Locale.ROOT), detail);
    }

    /** {@code filter + "/" + reason}: the key of this kind of drop in reports. */
    public String key() {
        return filter + "/" + reason;
    }
}
