package ai.redstar.data.dedup;

/**
 * How a text is cut into the overlapping pieces whose sets {@link MinHash} compares: runs of {@code size} words
 * (robust to small edits in long texts) or of {@code size} characters (better for short texts and formulas). Words
 * are runs of letters and digits, lower-cased; characters are those of the {@linkplain ExactDedup#normalize
 * normalised} text.
 */
public sealed interface Shingling permits Shingling.Words, Shingling.Characters {

    /** The number of words or characters per shingle. */
    int size();

    /** Shingles of {@code size} consecutive words. */
    record Words(int size) implements Shingling {
        public Words {
            if (size < 1 || size > 64) {
                throw new IllegalArgumentException("word shingle size must be in [1, 64], was " + size);
            }
        }
    }

    /** Shingles of {@code size} consecutive characters. */
    record Characters(int size) implements Shingling {
        public Characters {
            if (size < 1 || size > 64) {
                throw new IllegalArgumentException("character shingle size must be in [1, 64], was " + size);
            }
        }
    }

    static Shingling words(int size) {
        return new Words(size);
    }

    static Shingling characters(int size) {
        return new Characters(size);
    }
}
