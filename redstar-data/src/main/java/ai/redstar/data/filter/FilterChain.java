package ai.redstar.data.filter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs filters in order and keeps a trace only when every one keeps it; a dropped trace is counted under the first
 * filter that drops it and that filter's reason (so order cheap checks, such as truncation, first).
 *
 * <pre>{@code
 * FilterChain chain = FilterChain.of(TruncationFilter.standard(), FormatFilter.standard(),
 *         RepetitionFilter.standard(), LanguageMixFilter.standard(), VerifiedFilter.create());
 * Optional<Rejection> why = chain.check(Candidate.of(problem, trace, TokenCounter.approximate(), verifier));
 * chain.counts();   // {"format": {"no_boxed": 3}, "repetition": {"repeated_paragraph": 1}, ...}
 * }</pre>
 *
 * <p>Thread-safe: {@link #check} may run on many threads at once; the counts are exact when they have returned.
 */
public final class FilterChain {
    private final List<TraceFilter> filters;
    private final LongAdder checked = new LongAdder();
    private final LongAdder kept = new LongAdder();
    private final Map<String, LongAdder> drops = new ConcurrentHashMap<>();

    private FilterChain(List<TraceFilter> filters) {
        this.filters = List.copyOf(filters);
    }

    /**
     * @throws IllegalArgumentException when two filters share a name
     */
    public static FilterChain of(List<TraceFilter> filters) {
        Objects.requireNonNull(filters, "filters");
        Set<String> names = new HashSet<>();
        for (TraceFilter f : filters) {
            Objects.requireNonNull(f, "filter");
            if (!names.add(f.name())) {
                throw new IllegalArgumentException("two filters are named '" + f.name()
                        + "'; each filter may appear once in a chain");
            }
        }
        return new FilterChain(filters);
    }

    public static FilterChain of(TraceFilter... filters) {
        return of(List.of(filters));
    }

    public List<TraceFilter> filters() {
        return filters;
    }

    /** Runs the filters in order; empty when all keep the trace, else the first rejection. Counts the outcome. */
    public Optional<Rejection> check(Candidate candidate) {
        checked.increment();
        for (TraceFilter f : filters) {
            Optional<Rejection> r = f.check(candidate);
            if (r.isPresent()) {
                drops.computeIfAbsent(r.get().key(), k -> new LongAdder()).increment();
                return r;
            }
        }
        kept.increment();
        return Optional.empty();
    }

    /** Traces checked so far. */
    public long checked() {
        return checked.sum();
    }

    /** Traces kept so far. */
    public long kept() {
        return kept.sum();
    }

    /** Drops so far by filter (in chain order) and reason (sorted); only reasons that occurred. */
    public Map<String, Map<String, Long>> counts() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (TraceFilter f : filters) {
            Map<String, Long> reasons = new TreeMap<>();
            String prefix = f.name() + "/";
            for (Map.Entry<String, LongAdder> e : drops.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    reasons.put(e.getKey().substring(prefix.length()), e.getValue().sum());
                }
            }
            out.put(f.name(), reasons);
        }
        return out;
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        filters.forEach(f -> names.add(f.name()));
        return "FilterChain" + names;
    }
}
