package ai.redstar.data.dedup;

import java.text.Normalizer;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Exact duplicates after normalisation: Unicode NFKC (full-width digits become ASCII, ligatures are split), lower
 * case, runs of white space as one space, no white space at either end. Each text is reduced to a 64-bit
 * {@linkplain #fingerprint fingerprint}; two different texts share one with probability about 2^-64 per pair (one
 * in 10^7 over a million texts), which would drop a text as a duplicate.
 *
 * <pre>{@code
 * ExactDedup seen = ExactDedup.create();
 * seen.add("What is 2+2?", 1);      // empty: first time
 * seen.add("what is  2+2? ", 7);    // OptionalLong[1]: a duplicate of document 1
 * }</pre>
 *
 * <p>Thread-safe: {@link #fingerprint} is pure; {@link #add} is synchronised. About 35 to 70 bytes per distinct text.
 */
public final class ExactDedup {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final LongLongTable seen = new LongLongTable(1024);

    private ExactDedup() {
    }

    public static ExactDedup create() {
        return new ExactDedup();
    }

    /** The normalised text (see the class comment). */
    public static String normalize(String text) {
        Objects.requireNonNull(text, "text");
        StringBuilder out = new StringBuilder(text.length());
        forEachNormalizedChar(text, out::append);
        return out.toString();
    }

    /** The 64-bit fingerprint of the normalised text, computed without building it when the text is ASCII. */
    public static long fingerprint(String text) {
        Objects.requireNonNull(text, "text");
        if (isAscii(text)) {
            // the loop of forEachNormalizedChar for ASCII, inlined: no normalisation, no lambda per character
            long h = FNV_OFFSET;
            boolean pendingSpace = false;
            boolean started = false;
            for (int i = 0, n = text.length(); i < n; i++) {
                char c = text.charAt(i);
                if (c <= ' ') {
                    pendingSpace = started;
                    continue;
                }
                if (pendingSpace) {
                    h = (h ^ ' ') * FNV_PRIME;
                    pendingSpace = false;
                }
                started = true;
                h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * FNV_PRIME;
            }
            return LongLongTable.mix(h);
        }
        long[] h = {FNV_OFFSET};
        forEachNormalizedChar(text, c -> h[0] = (h[0] ^ c) * FNV_PRIME);
        return LongLongTable.mix(h[0]);
    }

    private interface CharSink {
        void accept(char c);
    }

    private static void forEachNormalizedChar(String text, CharSink sink) {
        String s = isAscii(text) ? text : Normalizer.normalize(text, Normalizer.Form.NFKC);
        boolean pendingSpace = false;
        boolean started = false;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            boolean space = c < 0x80 ? c <= ' ' : Character.isWhitespace(c) || Character.isSpaceChar(c);
            if (space) {
                pendingSpace = started;
                continue;
            }
            if (pendingSpace) {
                sink.accept(' ');
                pendingSpace = false;
            }
            started = true;
            if (c < 0x80) {
                sink.accept(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toLowerCase(Character.toCodePoint(c, s.charAt(++i)));
                sink.accept(Character.highSurrogate(cp));
                sink.accept(Character.lowSurrogate(cp));
            } else {
                sink.accept(Character.toLowerCase(c));
            }
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

    /**
     * Records the text as document {@code docId} unless an equal text was added before.
     *
     * @return the id of the earlier document with the same normalised text, or empty when this text is new
     */
    public OptionalLong add(String text, long docId) {
        return add(fingerprint(text), docId);
    }

    /** {@link #add(String, long)} for a fingerprint computed beforehand (for example on another thread). */
    public synchronized OptionalLong add(long fingerprint, long docId) {
        return seen.putIfAbsent(fingerprint, docId);
    }

    /** Whether an equal text was added, without adding this one. */
    public synchronized OptionalLong find(String text) {
        return seen.get(fingerprint(text));
    }

    /** The number of distinct texts added. */
    public synchronized int size() {
        return seen.size();
    }
}
