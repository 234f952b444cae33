package ai.redstar.data.sample;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One response of a teacher, as a {@link TraceSampler} returns it.
 *
 * <p>Servers with a reasoning parser (DeepSeek's API, vLLM and SGLang with {@code --reasoning-parser}) return the
 * thinking apart from the answer, in {@code reasoning_content}; local models and other servers write it inside the
 * content between {@code <think>} and {@code </think>}. {@link #text()} puts both forms into the second one, which is
 * what a student is trained on.
 *
 * @param reasoning the thinking returned apart from the answer, when the server separates them
 * @param content the answer (for local models and servers without a reasoning parser: the whole response)
 * @param finishReason why the teacher stopped
 * @param rawFinishReason the finish reason exactly as reported ({@code "stop"}, {@code "length"}, {@code "STOP_TOKEN"}),
 *     {@code ""} when none was
 * @param tokenCount the number of generated tokens, when known (local models; servers for single-choice requests)
 */
public record Sample(Optional<String> reasoning, String content, FinishReason finishReason, String rawFinishReason,
        OptionalInt tokenCount) {
    public Sample {
        Objects.requireNonNull(reasoning, "reasoning");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(rawFinishReason, "rawFinishReason");
        Objects.requireNonNull(tokenCount, "tokenCount");
    }

    /** A sample whose whole text is {@code content}, with no token count. */
    public static Sample of(String content, FinishReason finishReason) {
        return new Sample(Optional.empty(), content, finishReason, finishReason.name().toLowerCase(java.util.Locale.ROOT),
                OptionalInt.empty());
    }

    /**
     * The full response: {@code "<think>\n" + reasoning + "\n</think>\n\n" + content} (both parts stripped of
     * surrounding white space) when the reasoning came apart and is not blank, otherwise the content as is.
     */
    public String text() {
        if (reasoning.isEmpty() || reasoning.get().isBlank()) {
            return content;
        }
        String r = reasoning.get().strip();
        String c = content.strip();
        return new StringBuilder(r.length() + c.length() + 20).append("<think>\n").append(r).append("\n</think>\n\n")
                .append(c).toString();
    }
}
