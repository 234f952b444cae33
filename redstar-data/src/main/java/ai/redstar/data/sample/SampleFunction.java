package ai.redstar.data.sample;

import ai.redstar.core.tokenizer.ChatMessage;
import java.util.List;

/**
 * Samples of a conversation from any source, for {@link TraceSampler#custom}: another inference library, a
 * cache of earlier samples, a scripted teacher in tests.
 */
@FunctionalInterface
public interface SampleFunction {
    /**
     * Returns exactly {@code n} samples of the assistant's reply to {@code messages}.
     *
     * @param seed the seed for this problem; equal seeds should give equal samples where the source allows
     */
    List<Sample> sample(List<ChatMessage> messages, int n, long seed);
}
