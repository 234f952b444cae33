package ai.redstar.rl.dpo;

import java.util.Objects;

/**
 * One tokenized preference pair: a prompt and two responses to it, the preferred one first. Arrays are copied in and
 * out; immutable and thread-safe.
 *
 * @param prompt prompt token ids (at least one)
 * @param chosen preferred response token ids (at least one), end-of-turn token included when the chat template has one
 * @param rejected dispreferred response token ids (at least one)
 */
public record PreferencePair(int[] prompt, int[] chosen, int[] rejected) {

    /** Copies the arrays and checks that none is empty. */
    public PreferencePair {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        if (prompt.length == 0 || chosen.length == 0 || rejected.length == 0) {
            throw new IllegalArgumentException("a preference pair needs a non-empty prompt (" + prompt.length
                    + " tokens), chosen (" + chosen.length + ") and rejected (" + rejected.length + ") response");
        }
        prompt = prompt.clone();
        chosen = chosen.clone();
        rejected = rejected.clone();
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    @Override
    public int[] chosen() {
        return chosen.clone();
    }

    @Override
    public int[] rejected() {
        return rejected.clone();
    }
}
