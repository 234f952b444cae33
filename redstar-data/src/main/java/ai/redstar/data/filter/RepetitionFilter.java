package ai.redstar.data.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Drops traces that loop: a teacher repeating the same paragraph, line or word sequence until it runs out of tokens.
 * Reasons, checked in this order:
 * <ul>
 *   <li>{@code repeated_paragraph}: a paragraph (lines between blank lines) of at least
 *       {@link Builder#minParagraphChars} non-white-space characters appears more than
 *       {@link Builder#maxParagraphRepeats} times;</li>
 *   <li>{@code repeated_line}: a line of at least {@link Builder#minLineChars} non-white-space characters appears more
 *       than {@link Builder#maxLineRepeats} times;</li>
 *   <li>{@code ngram_loop}: one sequence of {@link Builder#ngramWords} words appears more than
 *       {@link Builder#maxNgramOccurrences} times;</li>
 *   <li>{@code repeated_ngrams}: more than {@link Builder#maxRepeatedNgramShare} of the word sequences repeat an
 *       earlier one.</li>
 * </ul>
 * Words are runs of non-white-space characters, compared exactly; lines and paragraphs are compared ignoring white
 * space. One pass over the text with rolling 64-bit hashes counted in reused primitive tables: linear time, no
 * regular expressions, no substrings (a hash collision, about one in 10^19 per pair, could count two different
 * sequences as one).
 *
 * <p>Immutable and thread-safe (each thread reuses its own scratch tables).
 */
public final class RepetitionFilter implements TraceFilter {
    /** Why a trace was dropped. */
    public enum Reason { REPEATED_PARAGRAPH, REPEATED_LINE, NGRAM_LOOP, REPEATED_NGRAMS }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long BASE = 0x9E3779B97F4A7C15L;

    private final int ngramWords;
    private final double maxRepeatedNgramShare;
    private final int maxNgramOccurrences;
    private final int minLineChars;
    private final int maxLineRepeats;
    private final int minParagraphChars;
    private final int maxParagraphRepeats;
    private final long basePowN;
    private final ThreadLocal<Scratch> scratch;

    private RepetitionFilter(Builder b) {
        this.ngramWords = b.ngramWords == null ? 13 : b.ngramWords;
        this.maxRepeatedNgramShare = b.maxRepeatedNgramShare == null ? 0.3 : b.maxRepeatedNgramShare;
        this.maxNgramOccurrences = b.maxNgramOccurrences == null ? 10 : b.maxNgramOccurrences;
        this.minLineChars = b.minLineChars == null ? 20 : b.minLineChars;
        this.maxLineRepeats = b.maxLineRepeats == null ? 10 : b.maxLineRepeats;
        this.minParagraphChars = b.minParagraphChars == null ? 80 : b.minParagraphChars;
        this.maxParagraphRepeats = b.maxParagraphRepeats == null ? 3 : b.maxParagraphRepeats;
        long p = 1;
        for (int i = 0; i < ngramWords; i++) {
            p *= BASE;
        }
        this.basePowN = p;
        int n = ngramWords;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(n));
    }

    /** The defaults: 13-word sequences, share 0.3, a sequence 10 times, a line 10 times, a paragraph 3 times. */
    public static RepetitionFilter standard() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "repetition";
    }

    /** What one pass over a text found. */
    record Scan(int ngrams, int repeatedNgrams, int maxNgramCount, int maxLineCount, int maxLineChars,
            int maxParagraphCount, int maxParagraphChars) {
        double repeatedShare() {
            return ngrams == 0 ? 0 : (double) repeatedNgrams / ngrams;
        }
    }

    @Override
    public Optional<Rejection> check(Candidate c) {
        Scan s = scan(c.text());
        if (s.maxParagraphCount > maxParagraphRepeats) {
            return Optional.of(Rejection.of(name(), Reason.REPEATED_PARAGRAPH, "a paragraph of " + s.maxParagraphChars
                    + " characters appears " + s.maxParagraphCount + " times (at most " + maxParagraphRepeats + ")"));
        }
        if (s.maxLineCount > maxLineRepeats) {
            return Optional.of(Rejection.of(name(), Reason.REPEATED_LINE, "a line of " + s.maxLineChars
                    + " characters appears " + s.maxLineCount + " times (at most " + maxLineRepeats + ")"));
        }
        if (s.maxNgramCount > maxNgramOccurrences) {
            return Optional.of(Rejection.of(name(), Reason.NGRAM_LOOP, "a " + ngramWords + "-word sequence appears "
                    + s.maxNgramCount + " times (at most " + maxNgramOccurrences + ")"));
        }
        if (s.repeatedShare() > maxRepeatedNgramShare) {
            return Optional.of(Rejection.of(name(), Reason.REPEATED_NGRAMS, String.format(Locale.ROOT,
                    "%.1f%% of %d %d-word sequences repeat an earlier one (at most %.1f%%)", 100 * s.repeatedShare(),
                    s.ngrams, ngramWords, 100 * maxRepeatedNgramShare)));
        }
        return Optional.empty();
    }

    /** One pass over {@code text}. */
    Scan scan(String text) {
        Scratch t = scratch.get();
        t.ngramCounts.reset();
        t.lineCounts.reset();
        t.paragraphCounts.reset();
        long[] ring = t.ring;
        int n = ngramWords;
        long rolling = 0;
        int words = 0;
        int ngrams = 0;
        int repeated = 0;
        int maxNgram = 0;
        int maxLine = 0;
        int maxLineChars = 0;
        int maxParagraph = 0;
        int maxParagraphChars = 0;
        long word = FNV_OFFSET;
        boolean inWord = false;
        long line = FNV_OFFSET;
        int lineChars = 0;
        long paragraph = 17;
        int paragraphChars = 0;
        int length = text.length();
        for (int i = 0; i <= length; i++) {
            char ch = i < length ? text.charAt(i) : '\n';
            boolean space = ch <= ' ' ? true : ch >= 0x80 && (Character.isWhitespace(ch) || ch == '\u00A0');
            if (space) {
                if (inWord) {
                    long w = LongIntCounter.mix(word);
                    int slot = words % n;
                    rolling = rolling * BASE + w - (words >= n ? ring[slot] * basePowN : 0);
                    ring[slot] = w;
                    words++;
                    if (words >= n) {
                        ngrams++;
                        int count = t.ngramCounts.increment(LongIntCounter.mix(rolling));
                        if (count > 1) {
                            repeated++;
                            if (count > maxNgram) {
                                maxNgram = count;
                            }
                        }
                    }
                    word = FNV_OFFSET;
                    inWord = false;
                }
                if (ch == '\n') {
                    if (lineChars == 0) {
                        if (paragraphChars >= minParagraphChars) {
                            int count = t.paragraphCounts.increment(LongIntCounter.mix(paragraph));
                            if (count > maxParagraph) {
                                maxParagraph = count;
                                maxParagraphChars = paragraphChars;
                            }
                        }
                        paragraph = 17;
                        paragraphChars = 0;
                    } else {
                        long lh = LongIntCounter.mix(line);
                        if (lineChars >= minLineChars) {
                            int count = t.lineCounts.increment(lh);
                            if (count > maxLine) {
                                maxLine = count;
                                maxLineChars = lineChars;
                            }
                        }
                        paragraph = paragraph * 31 + lh;
                        paragraphChars += lineChars;
                        line = FNV_OFFSET;
                        lineChars = 0;
                    }
                }
            } else {
                word = (word ^ ch) * FNV_PRIME;
                inWord = true;
                line = (line ^ ch) * FNV_PRIME;
                lineChars++;
            }
        }
        // the text's last paragraph
        if (paragraphChars >= minParagraphChars) {
            int count = t.paragraphCounts.increment(LongIntCounter.mix(paragraph));
            if (count > maxParagraph) {
                maxParagraph = count;
                maxParagraphChars = paragraphChars;
            }
        }
        return new Scan(ngrams, repeated, Math.max(maxNgram, ngrams > 0 ? 1 : 0), maxLine, maxLineChars,
                maxParagraph, maxParagraphChars);
    }

    /** Per-thread tables, reused from text to text. */
    private static final class Scratch {
        final LongIntCounter ngramCounts = new LongIntCounter(8192);
        final LongIntCounter lineCounts = new LongIntCounter(1024);
        final LongIntCounter paragraphCounts = new LongIntCounter(256);
        final long[] ring;

        Scratch(int n) {
            ring = new long[n];
        }
    }

    @Override
    public String toString() {
        return "RepetitionFilter{ngramWords=" + ngramWords + ", maxRepeatedNgramShare=" + maxRepeatedNgramShare
                + ", maxNgramOccurrences=" + maxNgramOccurrences + ", minLineChars=" + minLineChars
                + ", maxLineRepeats=" + maxLineRepeats + ", minParagraphChars=" + minParagraphChars
                + ", maxParagraphRepeats=" + maxParagraphRepeats + "}";
    }

    /** Settings of a {@link RepetitionFilter}; each may be set once. */
    public static final class Builder {
        private Integer ngramWords;
        private Double maxRepeatedNgramShare;
        private Integer maxNgramOccurrences;
        private Integer minLineChars;
        private Integer maxLineRepeats;
        private Integer minParagraphChars;
        private Integer maxParagraphRepeats;
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /** Words per sequence (default 13, as in n-gram decontamination), in [2, 64]. */
        public Builder ngramWords(int words) {
            once(this.ngramWords, "ngramWords");
            this.ngramWords = words;
            return this;
        }

        /** The largest share of sequences that may repeat an earlier one (default 0.3), in (0, 1]. */
        public Builder maxRepeatedNgramShare(double share) {
            once(this.maxRepeatedNgramShare, "maxRepeatedNgramShare");
            this.maxRepeatedNgramShare = share;
            return this;
        }

        /** The most times one sequence may appear (default 10), at least 1. */
        public Builder maxNgramOccurrences(int times) {
            once(this.maxNgramOccurrences, "maxNgramOccurrences");
            this.maxNgramOccurrences = times;
            return this;
        }

        /** Lines shorter than this (non-white-space characters) are not compared (default 20), at least 1. */
        public Builder minLineChars(int chars) {
            once(this.minLineChars, "minLineChars");
            this.minLineChars = chars;
            return this;
        }

        /** The most times one line may appear (default 10), at least 1. */
        public Builder maxLineRepeats(int times) {
            once(this.maxLineRepeats, "maxLineRepeats");
            this.maxLineRepeats = times;
            return this;
        }

        /** Paragraphs shorter than this (non-white-space characters) are not compared (default 80), at least 1. */
        public Builder minParagraphChars(int chars) {
            once(this.minParagraphChars, "minParagraphChars");
            this.minParagraphChars = chars;
            return this;
        }

        /** The most times one paragraph may appear (default 3), at least 1. */
        public Builder maxParagraphRepeats(int times) {
            once(this.maxParagraphRepeats, "maxParagraphRepeats");
            this.maxParagraphRepeats = times;
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public RepetitionFilter build() {
            List<String> all = new ArrayList<>(problems);
            if (ngramWords != null && (ngramWords < 2 || ngramWords > 64)) {
                all.add("ngramWords must be in [2, 64], was " + ngramWords);
            }
            if (maxRepeatedNgramShare != null && !(maxRepeatedNgramShare > 0 && maxRepeatedNgramShare <= 1)) {
                all.add("maxRepeatedNgramShare must be in (0, 1], was " + maxRepeatedNgramShare);
            }
            for (var e : new Object[][] {{"maxNgramOccurrences", maxNgramOccurrences}, {"minLineChars", minLineChars},
                    {"maxLineRepeats", maxLineRepeats}, {"minParagraphChars", minParagraphChars},
                    {"maxParagraphRepeats", maxParagraphRepeats}}) {
                if (e[1] != null && (Integer) e[1] < 1) {
                    all.add(e[0] + " must be >= 1, was " + e[1]);
                }
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid RepetitionFilter settings: " + String.join("; ", all));
            }
            return new RepetitionFilter(this);
        }
    }
}
