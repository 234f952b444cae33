package ai.redstar.data.sample;

import ai.redstar.core.tokenizer.ChatMessage;
import java.util.List;

/**
 * The teacher: samples {@code n} responses to a conversation.
 *
 * <ul>
 *   <li>{@link LocalSampler}: a {@code CausalLm} in this JVM through the batched, KV-cached {@code Generator}.</li>
 *   <li>{@link OpenAiSampler}: an OpenAI-compatible chat-completions server (vLLM, SGLang, llama.cpp's server, a
 *       hosted API), with a concurrency limit, timeouts and retries.</li>
 *   <li>{@link CustomSampler}: any other source, through a {@link SampleFunction}.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe: the dataset pipeline samples several problems at once.
 */
public sealed interface TraceSampler permits LocalSampler, OpenAiSampler, CustomSampler {

    /** The teacher's name, recorded in every output's provenance (the model name or folder). */
    String teacher();

    /**
     * The settings that decide the samples (model and sampling parameters), without the server's address or
     * operational limits such as concurrency, timeouts and retries, which may change when a run is resumed. Stable
     * across JVMs.
     */
    String settings();

    /**
     * Samples {@code n} responses to {@code messages}.
     *
     * @param n at least 1
     * @param seed the seed for this conversation (the pipeline derives it from its seed and the problem id)
     * @return exactly {@code n} samples, in sample order
     * @throws SamplerException when the teacher cannot give them
     */
    List<Sample> sample(List<ChatMessage> messages, int n, long seed);

    /** A teacher backed by {@code function}; its results are checked to hold exactly {@code n} samples. */
    static CustomSampler custom(String teacher, SampleFunction function) {
        return new CustomSampler(teacher, function);
    }
}
