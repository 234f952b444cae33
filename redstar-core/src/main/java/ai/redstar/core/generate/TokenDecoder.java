package ai.redstar.core.generate;

/**
 * Turns token ids back into text, so that {@link Generator} can match stop strings and fill
 * {@link Completion#text()}. Usually a method reference to the tokenizer, e.g. {@code tokenizer::decode}.
 *
 * <p>Contract: {@code decode(ids)} returns the text of exactly these ids (special tokens may be skipped), is a pure
 * function, and accepts any slice of a completion, including one that starts or ends inside a multi-byte character
 * (return replacement characters there rather than throwing). The generator calls it with short tail windows while
 * decoding and once with the whole completion at the end. It may be called from the thread that runs
 * {@link Generator#generate}; it must be thread-safe if several threads generate at once.
 */
@FunctionalInterface
public interface TokenDecoder {
    /** The text of {@code tokenIds}; the array must not be kept or modified. */
    String decode(int[] tokenIds);
}
