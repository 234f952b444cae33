package ai.redstar.core.tokenizer;

import java.util.List;
import java.util.Objects;

/**
 * A conversation rendered with its chat template and tokenized, with the token span of each assistant message: the
 * tokens the model must learn to produce (the message content as the template renders it, up to and including the
 * end-of-turn token, without the role header before it or the separator after it). Immutable and thread-safe.
 *
 * <p>Spans are computed on characters of {@link #text()} and mapped to tokens through the tokenizer's offsets. A
 * token that straddles a span boundary (for example a whitespace token that merges the template's newline with
 * leading whitespace of the content) belongs to the span, as in transformers' {@code return_assistant_tokens_mask},
 * so no character of assistant content is ever left out of the loss.
 */
public final class EncodedChat {
    /**
     * The tokens of one assistant message.
     *
     * @param messageIndex index of the message in the conversation
     * @param startToken first token of the span (inclusive)
     * @param endToken end of the span (exclusive); equal to {@code startToken} for an empty span
     * @param startChar first character of the span in {@link EncodedChat#text()} (UTF-16 index, inclusive)
     * @param endChar end of the span in {@link EncodedChat#text()} (exclusive)
     */
    public record AssistantSpan(int messageIndex, int startToken, int endToken, int startChar, int endChar) {
        public AssistantSpan {
            if (startToken < 0 || endToken < startToken || startChar < 0 || endChar < startChar) {
                throw new IllegalArgumentException("invalid span [" + startToken + ", " + endToken + ") chars ["
                        + startChar + ", " + endChar + ")");
            }
        }

        /** Number of tokens in the span. */
        public int length() {
            return endToken - startToken;
        }
    }

    private final int[] ids;
    private final String text;
    private final List<AssistantSpan> assistantSpans;

    EncodedChat(int[] ids, String text, List<AssistantSpan> assistantSpans) {
        this.ids = ids.clone();
        this.text = Objects.requireNonNull(text, "text");
        this.assistantSpans = List.copyOf(assistantSpans);
        for (AssistantSpan span : this.assistantSpans) {
            if (span.endToken() > ids.length || span.endChar() > text.length()) {
                throw new IllegalArgumentException("span " + span + " is outside the " + ids.length + " tokens");
            }
        }
    }

    /** The token ids (a copy), shape {@code [length()]}. */
    public int[] ids() {
        return ids.clone();
    }

    /** Number of tokens. */
    public int length() {
        return ids.length;
    }

    /** The rendered conversation that was tokenized. */
    public String text() {
        return text;
    }

    /** One span per assistant message, in conversation order. */
    public List<AssistantSpan> assistantSpans() {
        return assistantSpans;
    }

    /**
     * The supervised fine-tuning loss mask, shape {@code [length()]}: true for tokens inside assistant spans (of
     * every assistant message, or only of the last one), false for system, user and tool turns, role headers and
     * the generation prompt. Position {@code t} marks whether token {@code t} is a target; callers that predict
     * token {@code t} from position {@code t - 1} shift it themselves.
     */
    public boolean[] lossMask(boolean lastAssistantOnly) {
        boolean[] mask = new boolean[ids.length];
        List<AssistantSpan> spans = lastAssistantOnly && !assistantSpans.isEmpty()
                ? List.of(assistantSpans.get(assistantSpans.size() - 1)) : assistantSpans;
        for (AssistantSpan span : spans) {
            for (int t = span.startToken(); t < span.endToken(); t++) {
                mask[t] = true;
            }
        }
        return mask;
    }
}
