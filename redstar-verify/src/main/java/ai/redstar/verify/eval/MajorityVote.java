package ai.redstar.verify.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * Majority voting (maj@k, "self-consistency"): candidates are grouped by an equivalence, and the largest group
 * wins. With a mathematical equivalence, {@code 0.5}, {@code \frac12} and {@code 1/2} are one vote block.
 *
 * <p>Grouping is greedy in order of appearance: each candidate joins the first group whose representative (its
 * first member) it is equivalent to, else starts a new group. Ties go to the group that appeared first. The
 * equivalence is called at most {@code candidates × groups} times. Stateless.
 */
public final class MajorityVote {

    private MajorityVote() {
    }

    /**
     * A group of equivalent candidates.
     *
     * @param representative the first member
     * @param firstIndex the representative's index among the candidates
     * @param members the indices of every member, ascending
     */
    public record Group<T>(T representative, int firstIndex, List<Integer> members) {
        public Group {
            members = List.copyOf(members);
        }

        /** The number of members: the group's votes. */
        public int votes() {
            return members.size();
        }
    }

    /** Every group, largest first (ties: earliest first). */
    public static <T> List<Group<T>> groups(List<T> candidates, BiPredicate<? super T, ? super T> equivalent) {
        Objects.requireNonNull(candidates, "candidates");
        Objects.requireNonNull(equivalent, "equivalent");
        List<T> representatives = new ArrayList<>();
        List<Integer> firsts = new ArrayList<>();
        List<List<Integer>> members = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            T candidate = candidates.get(i);
            int joined = -1;
            for (int g = 0; g < representatives.size() && joined < 0; g++) {
                if (equivalent.test(candidate, representatives.get(g))) {
                    joined = g;
                }
            }
            if (joined < 0) {
                representatives.add(candidate);
                firsts.add(i);
                members.add(new ArrayList<>(List.of(i)));
            } else {
                members.get(joined).add(i);
            }
        }
        List<Group<T>> groups = new ArrayList<>();
        for (int g = 0; g < representatives.size(); g++) {
            groups.add(new Group<>(representatives.get(g), firsts.get(g), members.get(g)));
        }
        groups.sort(Comparator.comparingInt((Group<T> g) -> -g.votes()).thenComparingInt(Group::firstIndex));
        return groups;
    }

    /** The winning group, or empty when there are no candidates. */
    public static <T> Optional<Group<T>> winner(List<T> candidates, BiPredicate<? super T, ? super T> equivalent) {
        List<Group<T>> groups = groups(candidates, equivalent);
        return groups.isEmpty() ? Optional.empty() : Optional.of(groups.get(0));
    }
}
