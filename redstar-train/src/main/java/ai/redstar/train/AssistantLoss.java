package ai.redstar.train;

/** Which assistant messages of a conversation the SFT loss is computed on. */
public enum AssistantLoss {
    /**
     * Every assistant message that is learned (all of them in a {@code messages} record; those of the
     * {@code completion} in a prompt-completion record). The default, as TRL's {@code assistant_only_loss}.
     */
    ALL_TURNS,
    /** Only the last learned assistant message; earlier ones are context. */
    LAST_TURN
}
