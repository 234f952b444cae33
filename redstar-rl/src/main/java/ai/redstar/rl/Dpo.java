package ai.redstar.rl;

/**
 * Direct preference optimisation on offline (prompt, chosen, rejected) pairs.
 *
 * @param beta strength of the implicit KL constraint, finite and &gt; 0 (0.1 is usual)
 * @param loss the loss applied to the preference logit
 * @param labelSmoothing probability that a pair's preference label is flipped, in [0, 0.5); only with
 *     {@link Loss#SIGMOID} (conservative DPO), 0 otherwise
 * @param reference how the reference model's log-probs are obtained
 */
public record Dpo(double beta, Loss loss, double labelSmoothing, Reference reference) implements RlStrategy {

    /** Loss over the preference logit {@code z = (log πc − log refc) − (log πr − log refr)}. */
    public enum Loss {
        /** {@code −(1−ε)·log σ(βz) − ε·log σ(−βz)} (Rafailov et al.; ε = label smoothing). */
        SIGMOID,
        /** {@code (z − 1/(2β))²} (Azar et al., IPO). */
        IPO,
        /** {@code max(0, 1 − βz)} (SLiC hinge). */
        HINGE
    }

    /** Where the reference log-probs come from. */
    public enum Reference {
        /** Computed once per pair before training and cached; the reference model may be released afterwards. */
        CACHED,
        /** Recomputed with the frozen reference model at every step. */
        LIVE
    }

    /** Validates every parameter and reports all problems in one {@link IllegalArgumentException}. */
    public Dpo {
        RlStrategy.Problems p = new RlStrategy.Problems("Dpo");
        p.positiveFinite("beta", beta);
        p.notNull("loss", loss);
        p.notNull("reference", reference);
        p.check(labelSmoothing >= 0 && labelSmoothing < 0.5, "labelSmoothing", labelSmoothing,
                "must lie in [0, 0.5)");
        p.check(labelSmoothing == 0 || loss == Loss.SIGMOID, "labelSmoothing", labelSmoothing,
                "is only defined for loss=SIGMOID (got loss=" + loss + "); set it to 0");
        p.throwIfAny();
    }

    /** Sigmoid loss, beta 0.1, no label smoothing, cached reference log-probs. */
    public static Dpo defaults() {
        return new Dpo(0.1, Loss.SIGMOID, 0, Reference.CACHED);
    }
}
