package ai.redstar.data.pairs;

import ai.redstar.data.filter.Candidate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Which pairs to make from a problem's right traces (verified correct, passing the quality filters) and wrong ones
 * (verified wrong or without an answer, passing the quality filters). No pair is made when either list is empty.
 * Lengths are token counts ({@link Candidate#tokenCount()}); ties go to the lower sample index.
 *
 * <pre>{@code
 * List<PreferencePair> pairs = new PairingPolicy.ShortestRightLongestWrong().pairs(right, wrong);
 * }</pre>
 */
public sealed interface PairingPolicy permits PairingPolicy.ShortestRightLongestWrong, PairingPolicy.AllPairs,
        PairingPolicy.PerProblem, PairingPolicy.NoPairs {

    /**
     * One pair per problem: the shortest right trace against the longest wrong one, which teaches concise correct
     * reasoning over long wrong reasoning.
     */
    record ShortestRightLongestWrong() implements PairingPolicy {
    }

    /**
     * Every right trace against every wrong one, in sample order (right major), at most {@code maxPerProblem}.
     */
    record AllPairs(int maxPerProblem) implements PairingPolicy {
        public AllPairs {
            if (maxPerProblem < 1) {
                throw new IllegalArgumentException("maxPerProblem must be >= 1, got " + maxPerProblem);
            }
        }
    }

    /**
     * {@code pairs} distinct (right, wrong) pairs drawn without replacement (all of them when there are fewer),
     * seeded by {@code seed} and the problem id, so that each problem draws independently and reruns draw alike.
     */
    record PerProblem(int pairs, long seed) implements PairingPolicy {
        public PerProblem {
            if (pairs < 1) {
                throw new IllegalArgumentException("pairs must be >= 1, got " + pairs);
            }
        }
    }

    /** No pairs. */
    record NoPairs() implements PairingPolicy {
    }

    /**
     * The pairs of one problem.
     *
     * @param right traces verified right, in sample order
     * @param wrong traces verified wrong, in sample order
     */
    default List<PreferencePair> pairs(List<Candidate> right, List<Candidate> wrong) {
        Objects.requireNonNull(right, "right");
        Objects.requireNonNull(wrong, "wrong");
        List<PreferencePair> out = new ArrayList<>();
        if (right.isEmpty() || wrong.isEmpty() || this instanceof NoPairs) {
            return out;
        }
        Comparator<Candidate> byLength = Comparator.comparingInt(Candidate::tokenCount)
                .thenComparingInt(c -> c.trace().sampleIndex());
        if (this instanceof ShortestRightLongestWrong) {
            Candidate shortest = right.stream().min(byLength).orElseThrow();
            Candidate longest = wrong.stream().max(Comparator.comparingInt(Candidate::tokenCount)
                    .thenComparing(c -> -c.trace().sampleIndex())).orElseThrow();
            out.add(new PreferencePair(shortest, longest));
        } else if (this instanceof AllPairs all) {
            for (Candidate r : right) {
                for (Candidate w : wrong) {
                    if (out.size() == all.maxPerProblem()) {
                        return out;
                    }
                    out.add(new PreferencePair(r, w));
                }
            }
        } else {
            PerProblem per = (PerProblem) this;
            int total = right.size() * wrong.size();
            String problemId = right.get(0).trace().problemId();
            SplittableRandom random = new SplittableRandom(per.seed() * 0x9E3779B97F4A7C15L + problemId.hashCode());
            // partial Fisher-Yates over the indices of the right x wrong grid
            int[] cells = new int[total];
            for (int i = 0; i < total; i++) {
                cells[i] = i;
            }
            int take = Math.min(per.pairs(), total);
            for (int i = 0; i < take; i++) {
                int j = i + random.nextInt(total - i);
                int t = cells[i];
                cells[i] = cells[j];
                cells[j] = t;
                out.add(new PreferencePair(right.get(cells[i] / wrong.size()), wrong.get(cells[i] % wrong.size())));
            }
        }
        return out;
    }
}
