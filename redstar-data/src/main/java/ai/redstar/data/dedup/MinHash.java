package ai.redstar.data.dedup;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * MinHash signatures for near-duplicate detection (Broder 1997) with locality-sensitive hashing in bands (Leskovec,
 * Rajaraman and Ullman, <i>Mining of Massive Datasets</i>, ch. 3). A text's shingles ({@link Shingling}) are hashed
 * into a signature of {@code bands × rows} values; the fraction of equal positions in two signatures estimates the
 * Jaccard similarity of the shingle sets. Two texts become candidates when all {@code rows} values of some band
 * agree, which happens with probability {@code 1 - (1 - s^rows)^bands} at similarity {@code s}: an S-curve with its
 * steepest point near {@link #threshold()} ≈ {@code (1/bands)^(1/rows)}.
 *
 * <pre>{@code
 * MinHash minHash = MinHash.builder().bands(16).rows(8).shingling(Shingling.words(5)).seed(1).build();
 * MinHashIndex index = minHash.newIndex();
 * index.add(minHash.signature(text), docId);   // empty, or the earlier near-duplicate's id
 * }</pre>
 *
 * <p>Hashing: one-permutation MinHash (Li, Owen and Zhang, NIPS 2012) with optimal densification (Shrivastava, ICML
 * 2017), which estimates the same similarity as {@code bands × rows} independent hash functions at the cost of one:
 * each shingle's 64-bit hash, seeded by {@link Builder#seed}, picks a position (its high half) and competes for that
 * position's minimum (its low half); a position no shingle reached takes the value of a non-empty position chosen by
 * a seeded hash of its index and the attempt number. Signing a 4,000-token text costs tens of microseconds instead of
 * the milliseconds of 128 separate hash functions. A text with fewer words (characters) than a shingle is one
 * shingle.
 *
 * <p>Immutable and thread-safe.
 */
public final class MinHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long BASE = 0x9E3779B97F4A7C15L;

    private final int bands;
    private final int rows;
    private final Shingling shingling;
    private final long seed;
    private final long seedMix;
    private final int length;

    private MinHash(Builder builder) {
        this.bands = builder.bands == null ? 16 : builder.bands;
        this.rows = builder.rows == null ? 8 : builder.rows;
        this.shingling = builder.shingling == null ? Shingling.words(5) : builder.shingling;
        this.seed = builder.seed == null ? 0 : builder.seed;
        this.length = bands * rows;
        this.seedMix = mix(seed * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int bands() {
        return bands;
    }

    public int rows() {
        return rows;
    }

    public Shingling shingling() {
        return shingling;
    }

    public long seed() {
        return seed;
    }

    /** The signature length, {@code bands × rows}. */
    public int signatureLength() {
        return length;
    }

    /** The similarity at which the chance of becoming candidates is about one half: {@code (1/bands)^(1/rows)}. */
    public double threshold() {
        return Math.pow(1.0 / bands, 1.0 / rows);
    }

    /** The chance that two texts of Jaccard similarity {@code s} share a band: {@code 1 - (1 - s^rows)^bands}. */
    public double candidateProbability(double s) {
        return 1 - Math.pow(1 - Math.pow(s, rows), bands);
    }

    /** An empty index for signatures of this MinHash. */
    public MinHashIndex newIndex() {
        return new MinHashIndex(this);
    }

    /** The signature of {@code text}: {@link #signatureLength()} minima. */
    public int[] signature(String text) {
        Objects.requireNonNull(text, "text");
        int[] mins = new int[length];
        Arrays.fill(mins, EMPTY);
        if (shingling instanceof Shingling.Words w) {
            wordShingles(text, w.size(), mins);
        } else {
            charShingles(ExactDedup.normalize(text), shingling.size(), mins);
        }
        densify(mins);
        return mins;
    }

    /** The share of equal positions of two signatures: an estimate of the Jaccard similarity. */
    public static double estimatedJaccard(int[] first, int[] second) {
        if (first.length != second.length || first.length == 0) {
            throw new IllegalArgumentException("signatures must have one non-zero length, got " + first.length
                    + " and " + second.length);
        }
        int equal = 0;
        for (int i = 0; i < first.length; i++) {
            if (first[i] == second[i]) {
                equal++;
            }
        }
        return (double) equal / first.length;
    }

    /** No shingle reached the position (values are capped one below). */
    private static final int EMPTY = Integer.MAX_VALUE;

    private void include(long shingle, int[] mins) {
        long h = mix(shingle ^ seedMix);
        int position = (int) (((h >>> 32) * length) >>> 32);
        int value = (int) h;
        if (value == EMPTY) {
            value = EMPTY - 1;
        }
        if (value < mins[position]) {
            mins[position] = value;
        }
    }

    /**
     * Fills each empty position from a non-empty one chosen by a seeded hash of (position, attempt): optimal
     * densification. At least one position is filled (every text has a shingle); after {@code 64 × length} attempts
     * the next filled position to the right is taken, so the loop is bounded.
     */
    private void densify(int[] mins) {
        boolean[] empty = null;
        for (int i = 0; i < length; i++) {
            if (mins[i] == EMPTY) {
                if (empty == null) {
                    empty = new boolean[length];
                }
                empty[i] = true;
            }
        }
        if (empty == null) {
            return;
        }
        for (int i = 0; i < length; i++) {
            if (!empty[i]) {
                continue;
            }
            int value = EMPTY;
            for (int attempt = 0; attempt < 64 * length; attempt++) {
                long h = mix(seedMix ^ ((long) i << 32 | attempt) * 0x9E3779B97F4A7C15L);
                int j = (int) (((h >>> 32) * length) >>> 32);
                if (!empty[j]) {
                    value = mins[j];
                    break;
                }
            }
            for (int k = 1; value == EMPTY && k < length; k++) {
                int j = (i + k) % length;
                if (!empty[j]) {
                    value = mins[j];
                }
            }
            mins[i] = value;
        }
    }

    /** Words: runs of letters and digits, lower-cased; shingles of {@code k} consecutive words. */
    private void wordShingles(String text, int k, int[] mins) {
        String s = isAscii(text) ? text : Normalizer.normalize(text, Normalizer.Form.NFKC);
        long[] ring = new long[k];
        long powK = 1;
        for (int i = 0; i < k; i++) {
            powK *= BASE;
        }
        long rolling = 0;
        int words = 0;
        long word = FNV_OFFSET;
        boolean inWord = false;
        for (int i = 0, n = s.length(); i <= n; i++) {
            char c = i < n ? s.charAt(i) : ' ';
            boolean letter = c < 0x80 ? (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z')
                    : Character.isLetterOrDigit(c) || Character.isSurrogate(c);
            if (letter) {
                char lower = c < 0x80 ? (c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) : Character.toLowerCase(c);
                word = (word ^ lower) * FNV_PRIME;
                inWord = true;
            } else if (inWord) {
                long w = mix(word);
                int slot = words % k;
                rolling = rolling * BASE + w - (words >= k ? ring[slot] * powK : 0);
                ring[slot] = w;
                words++;
                if (words >= k) {
                    include(rolling, mins);
                }
                word = FNV_OFFSET;
                inWord = false;
            }
        }
        if (words < k) {
            include(rolling, mins); // fewer words than a shingle: the whole text (or nothing) is one shingle
        }
    }

    private void charShingles(String s, int k, int[] mins) {
        long powK = 1;
        for (int i = 0; i < k; i++) {
            powK *= BASE;
        }
        long rolling = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            rolling = rolling * BASE + s.charAt(i) - (i >= k ? s.charAt(i - k) * powK : 0);
            if (i + 1 >= k) {
                include(rolling, mins);
            }
        }
        if (n < k) {
            include(rolling, mins);
        }
    }

    private static boolean isAscii(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    static long mix(long z) {
        return LongLongTable.mix(z);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "MinHash{bands=%d, rows=%d, %s, seed=%d, threshold≈%.2f}", bands, rows,
                shingling, seed, threshold());
    }

    /** Settings of a {@link MinHash}; each may be set once. */
    public static final class Builder {
        private Integer bands;
        private Integer rows;
        private Shingling shingling;
        private Long seed;
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /** LSH bands (default 16), in [1, 512]. */
        public Builder bands(int bands) {
            once(this.bands, "bands");
            this.bands = bands;
            return this;
        }

        /** Signature values per band (default 8: with 16 bands, a threshold near 0.71), in [1, 64]. */
        public Builder rows(int rows) {
            once(this.rows, "rows");
            this.rows = rows;
            return this;
        }

        /** How texts are cut into shingles (default 5-word shingles). */
        public Builder shingling(Shingling shingling) {
            once(this.shingling, "shingling");
            this.shingling = Objects.requireNonNull(shingling, "shingling");
            return this;
        }

        /** The seed of the hash functions (default 0); signatures compare only under one seed. */
        public Builder seed(long seed) {
            once(this.seed, "seed");
            this.seed = seed;
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public MinHash build() {
            List<String> all = new ArrayList<>(problems);
            if (bands != null && (bands < 1 || bands > 512)) {
                all.add("bands must be in [1, 512], was " + bands);
            }
            if (rows != null && (rows < 1 || rows > 64)) {
                all.add("rows must be in [1, 64], was " + rows);
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid MinHash settings: " + String.join("; ", all));
            }
            return new MinHash(this);
        }
    }
}
