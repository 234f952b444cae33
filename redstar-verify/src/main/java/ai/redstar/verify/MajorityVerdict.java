package ai.redstar.verify;

import java.util.Objects;

/**
 * The result of majority voting (maj@k) over several responses to one problem.
 *
 * @param verdict the verdict of the winning answer against the gold; {@link Reason#NO_ANSWER} when no response
 *     had an answer
 * @param votes responses in the winning group
 * @param voters responses that had an answer (and so took part in the vote)
 * @param samples responses in all
 */
public record MajorityVerdict(Verdict verdict, int votes, int voters, int samples) {
    public MajorityVerdict {
        Objects.requireNonNull(verdict, "verdict");
        if (votes < 0 || votes > voters || voters > samples) {
            throw new IllegalArgumentException("need 0 <= votes <= voters <= samples, got " + votes + ", " + voters
                    + ", " + samples);
        }
    }
}
