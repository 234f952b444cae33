package ai.redstar.data.filter;

import java.lang.Character.UnicodeScript;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Drops traces that switch language, such as a teacher drifting into Chinese in the middle of an English trace.
 * Letters are classified by {@link UnicodeScript}; a letter is foreign when its script is not allowed: not among
 * {@link Builder#allowedScripts} (default Latin, Greek, and the script-neutral Common and Inherited) and, unless
 * turned off, not used in the problem's question (a question in Russian allows Cyrillic). Reason
 * {@code foreign_script}: at least {@link Builder#minForeignLetters} foreign letters making up more than
 * {@link Builder#maxForeignShare} of all letters; the detail names the most frequent foreign script.
 *
 * <p>One pass over the text; ASCII is classified without a table lookup. Immutable and thread-safe.
 */
public final class LanguageMixFilter implements TraceFilter {
    /** Why a trace was dropped. */
    public enum Reason { FOREIGN_SCRIPT }

    private static final UnicodeScript[] SCRIPTS = UnicodeScript.values();

    private final EnumSet<UnicodeScript> allowed;
    private final boolean allowQuestionScripts;
    private final double maxForeignShare;
    private final int minForeignLetters;

    private LanguageMixFilter(Builder b) {
        this.allowed = b.allowed == null
                ? EnumSet.of(UnicodeScript.LATIN, UnicodeScript.GREEK, UnicodeScript.COMMON, UnicodeScript.INHERITED)
                : EnumSet.copyOf(b.allowed);
        this.allowQuestionScripts = b.allowQuestionScripts == null || b.allowQuestionScripts;
        this.maxForeignShare = b.maxForeignShare == null ? 0.002 : b.maxForeignShare;
        this.minForeignLetters = b.minForeignLetters == null ? 5 : b.minForeignLetters;
    }

    /** English-style traces: Latin and Greek letters, plus those of the question; 0.2% and 5 letters at most. */
    public static LanguageMixFilter standard() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "language";
    }

    @Override
    public Optional<Rejection> check(Candidate c) {
        EnumSet<UnicodeScript> ok = allowed;
        if (allowQuestionScripts) {
            EnumSet<UnicodeScript> inQuestion = scriptsOf(c.problem().question());
            if (!ok.containsAll(inQuestion)) {
                ok = EnumSet.copyOf(allowed);
                ok.addAll(inQuestion);
            }
        }
        String text = c.text();
        boolean latinOk = ok.contains(UnicodeScript.LATIN);
        long letters = 0;
        long foreign = 0;
        int[] perScript = null;
        for (int i = 0, n = text.length(); i < n; i++) {
            char ch = text.charAt(i);
            if (ch < 0x80) {
                if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') {
                    letters++;
                    if (!latinOk) {
                        foreign++;
                        perScript = count(perScript, UnicodeScript.LATIN);
                    }
                }
                continue;
            }
            int cp = ch;
            if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(ch, text.charAt(++i));
            }
            if (!Character.isLetter(cp)) {
                continue;
            }
            letters++;
            UnicodeScript script = UnicodeScript.of(cp);
            if (!ok.contains(script)) {
                foreign++;
                perScript = count(perScript, script);
            }
        }
        if (foreign >= minForeignLetters && foreign > maxForeignShare * letters) {
            UnicodeScript top = UnicodeScript.UNKNOWN;
            int best = -1;
            for (int s = 0; s < SCRIPTS.length; s++) {
                if (perScript[s] > best) {
                    best = perScript[s];
                    top = SCRIPTS[s];
                }
            }
            return Optional.of(Rejection.of(name(), Reason.FOREIGN_SCRIPT, String.format(Locale.ROOT,
                    "%d of %d letters (%.2f%%) are foreign, mostly %s (%d)", foreign, letters, 100.0 * foreign / letters,
                    top, best)));
        }
        return Optional.empty();
    }

    private static int[] count(int[] perScript, UnicodeScript script) {
        int[] counts = perScript == null ? new int[SCRIPTS.length] : perScript;
        counts[script.ordinal()]++;
        return counts;
    }

    /** The scripts of the letters in {@code text}. */
    static EnumSet<UnicodeScript> scriptsOf(String text) {
        EnumSet<UnicodeScript> scripts = EnumSet.noneOf(UnicodeScript.class);
        for (int i = 0, n = text.length(); i < n; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') {
                    scripts.add(UnicodeScript.LATIN);
                }
            } else if (Character.isLetter(cp)) {
                scripts.add(UnicodeScript.of(cp));
            }
        }
        return scripts;
    }

    @Override
    public String toString() {
        return "LanguageMixFilter{allowed=" + allowed + ", allowQuestionScripts=" + allowQuestionScripts
                + ", maxForeignShare=" + maxForeignShare + ", minForeignLetters=" + minForeignLetters + "}";
    }

    /** Settings of a {@link LanguageMixFilter}; each may be set once. */
    public static final class Builder {
        private Set<UnicodeScript> allowed;
        private Boolean allowQuestionScripts;
        private Double maxForeignShare;
        private Integer minForeignLetters;
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        private void once(Object current, String name) {
            if (current != null) {
                problems.add(name + " was set twice");
            }
        }

        /**
         * The scripts a trace may use (default LATIN, GREEK, COMMON, INHERITED); e.g. add HAN for Chinese traces.
         */
        public Builder allowedScripts(Set<UnicodeScript> scripts) {
            once(this.allowed, "allowedScripts");
            this.allowed = Set.copyOf(Objects.requireNonNull(scripts, "scripts"));
            return this;
        }

        /** Whether the scripts used in the question are allowed too (default true). */
        public Builder allowQuestionScripts(boolean allow) {
            once(this.allowQuestionScripts, "allowQuestionScripts");
            this.allowQuestionScripts = allow;
            return this;
        }

        /** The largest share of foreign letters among all letters (default 0.002), in [0, 1). */
        public Builder maxForeignShare(double share) {
            once(this.maxForeignShare, "maxForeignShare");
            this.maxForeignShare = share;
            return this;
        }

        /** Fewer foreign letters than this never drop a trace (default 5), at least 1. */
        public Builder minForeignLetters(int letters) {
            once(this.minForeignLetters, "minForeignLetters");
            this.minForeignLetters = letters;
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public LanguageMixFilter build() {
            List<String> all = new ArrayList<>(problems);
            if (allowed != null && allowed.isEmpty()) {
                all.add("allowedScripts is empty; every letter would be foreign");
            }
            if (maxForeignShare != null && !(maxForeignShare >= 0 && maxForeignShare < 1)) {
                all.add("maxForeignShare must be in [0, 1), was " + maxForeignShare);
            }
            if (minForeignLetters != null && minForeignLetters < 1) {
                all.add("minForeignLetters must be >= 1, was " + minForeignLetters);
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid LanguageMixFilter settings: " + String.join("; ", all));
            }
            return new LanguageMixFilter(this);
        }
    }
}
