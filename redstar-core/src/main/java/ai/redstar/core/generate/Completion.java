package ai.redstar.core.generate;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One sampled completion of a prompt.
 *
 * <p>Token ids and log-probabilities run in parallel, one entry per generated token:
 * <ul>
 *   <li>{@link #tokenIds()}: every sampled token. When the completion ended on a stop token, that token is the last
 *       entry (RL needs it inside the response mask, as in OpenRLHF). When it ended on a stop string, the ids run up
 *       to and including the token that completed the string, so they may decode to text past the cut.</li>
 *   <li>{@link #logProbs()}: {@code log softmax(logits / T)} of the sampled token under the <em>full</em>
 *       temperature-scaled distribution, before top-k/top-p truncation, computed in fp32: the {@code log π(a|s)}
 *       that PPO, GRPO and REINFORCE++ need (what vLLM returns and OpenRLHF uses). For greedy decoding
 *       (T = 0) it is taken at T = 1, i.e. {@code log softmax(logits)}.</li>
 *   <li>{@link #truncatedLogProbs()}: the log-probability under the distribution actually sampled from, after
 *       top-k/top-p truncation and renormalisation ({@code logProbs - log(kept mass)}); 0 for greedy decoding.
 *       Equal to {@link #logProbs()} when neither top-k nor top-p truncates.</li>
 * </ul>
 *
 * <p>{@link #text()} is present when the generator has a {@link TokenDecoder}: the decoded completion without the
 * stop token, cut before the stop string when one matched.
 *
 * <p>Immutable and thread-safe: arrays are copied out.
 */
public final class Completion {
    private final int sampleIndex;
    private final int[] tokenIds;
    private final float[] logProbs;
    private final float[] truncatedLogProbs;
    private final FinishReason finishReason;
    private final String stopString;
    private final String text;

    Completion(int sampleIndex, int[] tokenIds, float[] logProbs, float[] truncatedLogProbs,
            FinishReason finishReason, String stopString, String text) {
        this.sampleIndex = sampleIndex;
        this.tokenIds = tokenIds;
        this.logProbs = logProbs;
        this.truncatedLogProbs = truncatedLogProbs;
        this.finishReason = Objects.requireNonNull(finishReason);
        this.stopString = stopString;
        this.text = text;
    }

    /** Which of the request's samples this is, from 0 to {@code samplesPerPrompt - 1}. */
    public int sampleIndex() {
        return sampleIndex;
    }

    /** The generated token ids (a copy), prompt excluded. */
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    /** Number of generated tokens. */
    public int length() {
        return tokenIds.length;
    }

    /** Log-probability of each generated token under the full temperature-scaled distribution (a copy). */
    public float[] logProbs() {
        return logProbs.clone();
    }

    /** Log-probability of each generated token under the top-k/top-p truncated distribution (a copy). */
    public float[] truncatedLogProbs() {
        return truncatedLogProbs.clone();
    }

    /** Sum of {@link #logProbs()}: the log-probability of the whole completion. */
    public double sumLogProb() {
        double s = 0;
        for (float lp : logProbs) {
            s += lp;
        }
        return s;
    }

    public FinishReason finishReason() {
        return finishReason;
    }

    /** The stop string that ended the completion, when {@link #finishReason()} is {@link FinishReason#STOP_STRING}. */
    public Optional<String> stopString() {
        return Optional.ofNullable(stopString);
    }

    /** The decoded text, when the generator has a {@link TokenDecoder}; see the class comment. */
    public Optional<String> text() {
        return Optional.ofNullable(text);
    }

    @Override
    public String toString() {
        return "Completion{sample=" + sampleIndex + ", tokens=" + Arrays.toString(tokenIds)
                + ", finish=" + finishReason + (stopString == null ? "" : ", stop='" + stopString + "'") + "}";
    }
}
