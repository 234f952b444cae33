package ai.redstar.data.dedup;

import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlReader;
import ai.redstar.core.jsonl.JsonlRecord;
import com.google.gson.JsonElement;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Finds training problems that overlap benchmark items: a problem is contaminated by an item when they share at least
 * {@link Builder#minSharedNgrams} word n-grams ({@code n} = 13 by default, as in the GPT-3 and open-r1 decontamination).
 * Words are runs of letters and digits, lower-cased after NFKC normalisation, so LaTeX markup and punctuation do not
 * hide an overlap ({@code \frac{1}{2}} reads "frac 1 2"). Items with fewer than {@code n} words have no n-grams and
 * are never matched.
 *
 * <pre>{@code
 * Decontaminator d = Decontaminator.builder()
 *         .benchmark("math500", Path.of("math500.jsonl"), List.of("problem"), "unique_id").build();
 * d.check(problem.question());   // [Overlap[benchmark=math500, id=test/algebra/1.json, sharedNgrams=9]]
 * }</pre>
 *
 * <p>The benchmark n-grams are held in memory (about 40 bytes each). Immutable after building and thread-safe.
 */
public final class Decontaminator {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long BASE = 0x9E3779B97F4A7C15L;

    /**
     * One benchmark item a text overlaps.
     *
     * @param benchmark the benchmark's name
     * @param id the item's id
     * @param sharedNgrams how many distinct n-grams of the text occur in the item
     */
    public record Overlap(String benchmark, String id, int sharedNgrams) {
    }

    private record Item(String benchmark, String id) {
    }

    private final int n;
    private final int minShared;
    private final List<Item> items;
    private final LongLongTable first;            // n-gram -> the first item that has it
    private final Map<Long, List<Integer>> shared; // n-grams of several items
    private final Map<String, Integer> itemsPerBenchmark;

    private Decontaminator(Builder b) {
        this.n = b.ngramWords == null ? 13 : b.ngramWords;
        this.minShared = b.minSharedNgrams == null ? 1 : b.minSharedNgrams;
        this.items = new ArrayList<>();
        this.first = new LongLongTable(1 << 14);
        this.shared = new HashMap<>();
        this.itemsPerBenchmark = new LinkedHashMap<>();
        for (Source s : b.sources) {
            int count = 0;
            try (JsonlReader reader = Jsonl.reader(s.file)) {
                while (reader.hasNext()) {
                    JsonlRecord r = reader.next();
                    StringBuilder text = new StringBuilder();
                    for (String field : s.textFields) {
                        JsonElement value = r.json().get(field);
                        if (value != null && value.isJsonPrimitive()) {
                            text.append(value.getAsString()).append('\n');
                        }
                    }
                    if (text.length() == 0) {
                        throw r.problem("none of the text fields " + s.textFields + " is present; name the fields "
                                + "that hold the benchmark question");
                    }
                    String id = s.idField != null && r.has(s.idField) && r.json().get(s.idField).isJsonPrimitive()
                            ? r.json().get(s.idField).getAsString() : s.name + ":" + r.lineNumber();
                    addItem(s.name, id, text.toString());
                    count++;
                }
            }
            itemsPerBenchmark.merge(s.name, count, Integer::sum);
        }
        for (Map.Entry<String, Map<String, String>> e : b.inline.entrySet()) {
            for (Map.Entry<String, String> item : e.getValue().entrySet()) {
                addItem(e.getKey(), item.getKey(), item.getValue());
            }
            itemsPerBenchmark.merge(e.getKey(), e.getValue().size(), Integer::sum);
        }
    }

    private void addItem(String benchmark, String id, String text) {
        int index = items.size();
        items.add(new Item(benchmark, id));
        forEachNgram(text, gram -> {
            OptionalLong present = first.putIfAbsent(gram, index);
            if (present.isPresent() && present.getAsLong() != index) {
                List<Integer> owners = shared.computeIfAbsent(gram, k -> new ArrayList<>(List.of(
                        (int) present.getAsLong())));
                if (!owners.contains(index)) {
                    owners.add(index);
                }
            }
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Words per n-gram. */
    public int ngramWords() {
        return n;
    }

    /** Items loaded per benchmark, in the order given. */
    public Map<String, Integer> itemsPerBenchmark() {
        return Map.copyOf(itemsPerBenchmark);
    }

    /** Distinct benchmark n-grams held. */
    public int ngrams() {
        return first.size();
    }

    /** The benchmark items {@code text} overlaps, most shared n-grams first; empty when it is clean. */
    public List<Overlap> check(String text) {
        Objects.requireNonNull(text, "text");
        Map<Integer, Integer> hits = new HashMap<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        forEachNgram(text, gram -> {
            OptionalLong owner = first.get(gram);
            if (owner.isEmpty() || !seen.add(gram)) {
                return;
            }
            List<Integer> owners = shared.get(gram);
            if (owners == null) {
                hits.merge((int) owner.getAsLong(), 1, Integer::sum);
            } else {
                for (int o : owners) {
                    hits.merge(o, 1, Integer::sum);
                }
            }
        });
        List<Overlap> out = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : hits.entrySet()) {
            if (e.getValue() >= minShared) {
                Item item = items.get(e.getKey());
                out.add(new Overlap(item.benchmark(), item.id(), e.getValue()));
            }
        }
        out.sort(Comparator.comparingInt(Overlap::sharedNgrams).reversed().thenComparing(Overlap::benchmark)
                .thenComparing(Overlap::id));
        return out;
    }

    private interface GramSink {
        void accept(long gram);
    }

    private void forEachNgram(String text, GramSink sink) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        long[] ring = new long[n];
        long powN = 1;
        for (int i = 0; i < n; i++) {
            powN *= BASE;
        }
        long rolling = 0;
        int words = 0;
        long word = FNV_OFFSET;
        boolean inWord = false;
        for (int i = 0, len = s.length(); i <= len; i++) {
            char c = i < len ? s.charAt(i) : ' ';
            if (Character.isLetterOrDigit(c) || Character.isSurrogate(c)) {
                word = (word ^ Character.toLowerCase(c)) * FNV_PRIME;
                inWord = true;
            } else if (inWord) {
                long w = LongLongTable.mix(word);
                int slot = words % n;
                rolling = rolling * BASE + w - (words >= n ? ring[slot] * powN : 0);
                ring[slot] = w;
                words++;
                if (words >= n) {
                    sink.accept(LongLongTable.mix(rolling));
                }
                word = FNV_OFFSET;
                inWord = false;
            }
        }
    }

    private record Source(String name, Path file, List<String> textFields, String idField) {
    }

    /** Settings of a {@link Decontaminator}. */
    public static final class Builder {
        private Integer ngramWords;
        private Integer minSharedNgrams;
        private final List<Source> sources = new ArrayList<>();
        private final Map<String, Map<String, String>> inline = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        /** Words per n-gram (default 13), in [1, 64]; set once. */
        public Builder ngramWords(int words) {
            if (ngramWords != null) {
                problems.add("ngramWords was set twice");
            }
            this.ngramWords = words;
            return this;
        }

        /** Shared n-grams that make an overlap (default 1), at least 1; set once. */
        public Builder minSharedNgrams(int count) {
            if (minSharedNgrams != null) {
                problems.add("minSharedNgrams was set twice");
            }
            this.minSharedNgrams = count;
            return this;
        }

        /**
         * A benchmark in a JSONL file, read by {@link #build()}: the text of an item is its {@code textFields} joined
         * (those present); its id is {@code idField} (null: {@code <name>:<line>}).
         */
        public Builder benchmark(String name, Path file, List<String> textFields, String idField) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(textFields, "textFields");
            if (textFields.isEmpty()) {
                problems.add("benchmark " + name + " names no text fields");
            }
            sources.add(new Source(name, file, List.copyOf(textFields), idField));
            return this;
        }

        /** A benchmark given as id → text. */
        public Builder benchmark(String name, Map<String, String> itemsById) {
            Objects.requireNonNull(name, "name");
            inline.computeIfAbsent(name, k -> new LinkedHashMap<>()).putAll(Objects.requireNonNull(itemsById, "items"));
            return this;
        }

        /**
         * Reads the benchmark files.
         *
         * @throws IllegalArgumentException naming every invalid setting
         * @throws ai.redstar.core.jsonl.JsonlException naming the file and line of a malformed benchmark item
         */
        public Decontaminator build() {
            List<String> all = new ArrayList<>(problems);
            if (ngramWords != null && (ngramWords < 1 || ngramWords > 64)) {
                all.add("ngramWords must be in [1, 64], was " + ngramWords);
            }
            if (minSharedNgrams != null && minSharedNgrams < 1) {
                all.add("minSharedNgrams must be >= 1, was " + minSharedNgrams);
            }
            if (sources.isEmpty() && inline.isEmpty()) {
                all.add("no benchmark given; add one with benchmark(...)");
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid Decontaminator settings: " + String.join("; ", all));
            }
            return new Decontaminator(this);
        }
    }
}
