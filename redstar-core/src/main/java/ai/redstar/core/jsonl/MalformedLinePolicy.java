package ai.redstar.core.jsonl;

/** What a {@link JsonlReader} does with a line that is not a JSON object (or not valid UTF-8). */
public enum MalformedLinePolicy {
    /** Throw a {@link JsonlException} naming the file, the line and the problem. The default. */
    FAIL,
    /**
     * Skip the line, log it at WARN level and count it in {@link JsonlReader#skippedLines()}; reading goes on with
     * the next line.
     */
    SKIP
}
