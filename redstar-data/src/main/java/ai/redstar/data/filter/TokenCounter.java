package ai.redstar.data.filter;

import ai.redstar.core.tokenizer.ChatTokenizer;
import java.util.Objects;

/**
 * Counts the tokens of a text, for length bounds and length statistics when a trace does not carry its own count.
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface TokenCounter {
    /** The number of tokens of {@code text}. */
    int count(String text);

    /** Exact counts from a tokenizer (no special tokens added); the tokenizer must outlive the counter. */
    static TokenCounter of(ChatTokenizer tokenizer) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        return text -> tokenizer.encode(text).length;
    }

    /**
     * A quick estimate without a tokenizer: one token per 4 ASCII characters (rounded up) plus one per other code
     * point (CJK characters are about a token each in Qwen's and Llama's vocabularies; accented letters are counted
     * high). A rough estimate, for when no tokenizer is at hand: English prose averages about four characters per
     * token in the large BPE vocabularies of current models; code and LaTeX run denser.
     */
    static TokenCounter approximate() {
        return TokenCounter::estimate;
    }

    private static int estimate(String text) {
        long ascii = 0;
        long other = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                ascii++;
            } else if (!Character.isLowSurrogate(c)) {
                other++;
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, (ascii + 3) / 4 + other);
    }
}
