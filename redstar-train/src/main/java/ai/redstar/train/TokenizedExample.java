package ai.redstar.train;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One training record after tokenization: its token ids and which of them are learned.
 *
 * <p>{@code lossMask[t]} says whether token {@code t} is a target, predicted from tokens {@code 0..t-1} (the
 * convention of {@link ai.redstar.core.tokenizer.EncodedChat#lossMask}); {@code lossMask[0]} is ignored, as nothing
 * predicts the first token. Immutable: the arrays are copied in and out.
 *
 * <p><b>Images.</b> A record of a vision-language model lists its image files in order of appearance; its ids already
 * hold each image's placeholder id repeated {@code imageSeqLength} times (the contract of
 * {@link ai.redstar.core.vision.VisionLm}), and those positions are never learned.
 *
 * @param tokenIds the ids, {@code [length]}, at least one
 * @param lossMask {@code [length]}, true for tokens the loss is computed on
 * @param images the image files of the record in order of their placeholder runs (empty for text)
 */
public record TokenizedExample(int[] tokenIds, boolean[] lossMask, List<Path> images) {
    /** A text-only example. */
    public TokenizedExample(int[] tokenIds, boolean[] lossMask) {
        this(tokenIds, lossMask, List.of());
    }

    public TokenizedExample {
        Objects.requireNonNull(tokenIds, "tokenIds");
        Objects.requireNonNull(lossMask, "lossMask");
        images = List.copyOf(Objects.requireNonNull(images, "images"));
        if (tokenIds.length == 0) {
            throw new IllegalArgumentException("an example needs at least one token");
        }
        if (tokenIds.length != lossMask.length) {
            throw new IllegalArgumentException("tokenIds has " + tokenIds.length + " entries but lossMask has "
                    + lossMask.length + "; they must be equally long");
        }
        tokenIds = tokenIds.clone();
        lossMask = lossMask.clone();
    }

    /** The ids (a copy). */
    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    /** The loss mask (a copy). */
    @Override
    public boolean[] lossMask() {
        return lossMask.clone();
    }

    /** Number of tokens. */
    public int length() {
        return tokenIds.length;
    }

    /** Number of targets: tokens {@code t ≥ 1} with {@code lossMask[t]}. */
    public int lossTokens() {
        int n = 0;
        for (int t = 1; t < lossMask.length; t++) {
            if (lossMask[t]) {
                n++;
            }
        }
        return n;
    }

    /** The first target index {@code t ≥ 1}, or {@link Integer#MAX_VALUE} when there is none. */
    int firstTarget() {
        for (int t = 1; t < lossMask.length; t++) {
            if (lossMask[t]) {
                return t;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** Token {@code t} without copying. */
    int id(int t) {
        return tokenIds[t];
    }

    /** Whether token {@code t} is a target, without copying. */
    boolean target(int t) {
        return lossMask[t];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenizedExample e && Arrays.equals(tokenIds, e.tokenIds)
                && Arrays.equals(lossMask, e.lossMask) && images.equals(e.images);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(tokenIds) + Arrays.hashCode(lossMask)) + images.hashCode();
    }

    @Override
    public String toString() {
        return "TokenizedExample{" + tokenIds.length + " tokens, " + lossTokens() + " targets"
                + (images.isEmpty() ? "" : ", " + images.size() + " image(s)") + "}";
    }
}
