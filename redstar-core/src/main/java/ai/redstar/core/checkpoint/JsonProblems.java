package ai.redstar.core.checkpoint;

/** Short descriptions of Gson parse failures for error messages. Thread-safe (stateless). */
final class JsonProblems {
    private JsonProblems() {}

    /**
     * Gson's message without its advice to parse leniently and its troubleshooting link (our readers are strict on
     * purpose), e.g. {@code "malformed JSON at line 1 column 56 path $"}.
     */
    static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int link = message.indexOf("\nSee https://");
        if (link >= 0) {
            message = message.substring(0, link);
        }
        return message.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON",
                "malformed JSON").strip();
    }
}
