package ai.redstar.data.sample;

import java.util.Locale;

/** Why a teacher stopped writing a sample. */
public enum FinishReason {
    /** It ended on its own: an end-of-turn token or a stop string (OpenAI {@code "stop"}). */
    STOP,
    /** It hit the token limit and was cut off (OpenAI {@code "length"}): the trace is truncated. */
    LENGTH,
    /** Anything else the server reported ({@code "content_filter"}, {@code "abort"}, none). */
    OTHER;

    /**
     * The reason of an OpenAI-compatible {@code finish_reason}: {@code "stop"} and {@code "eos"} are {@link #STOP},
     * {@code "length"} is {@link #LENGTH}, everything else (including {@code null}) is {@link #OTHER}.
     */
    public static FinishReason fromOpenAi(String finishReason) {
        if (finishReason == null) {
            return OTHER;
        }
        return switch (finishReason.toLowerCase(Locale.ROOT)) {
            case "stop", "eos", "end_turn", "stop_sequence" -> STOP;
            case "length", "max_tokens" -> LENGTH;
            default -> OTHER;
        };
    }
}
