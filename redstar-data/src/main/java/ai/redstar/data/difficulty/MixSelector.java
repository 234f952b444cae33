package ai.redstar.data.difficulty;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Carries out a {@link Selection.TargetMix} over problems too many to hold: offer every scored problem (its index,
 * id and bucket) once; each bucket keeps only its quota of smallest seeded ranks in a bounded heap; then
 * {@link #selected()} names the chosen indices. Memory is proportional to the target total, not the input.
 *
 * <p>Not thread-safe.
 */
public final class MixSelector {
    private final Selection.TargetMix mix;
    private final Map<Integer, Integer> quotas;
    private final Map<Integer, PriorityQueue<long[]>> heaps = new HashMap<>();
    private final Map<Integer, Long> offered = new HashMap<>();

    public MixSelector(Selection.TargetMix mix) {
        this.mix = Objects.requireNonNull(mix, "mix");
        this.quotas = mix.quotas();
    }

    /** The seeded rank of a problem id: a 64-bit hash of the seed and the id's UTF-16 text. */
    public static long rank(long seed, String id) {
        long h = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /** Offers a scored problem; ties of rank are broken by the lower index. */
    public void offer(long index, String id, int bucket) {
        offered.merge(bucket, 1L, Long::sum);
        Integer quota = quotas.get(bucket);
        if (quota == null || quota == 0) {
            return;
        }
        // max-heap on (rank, index): the root is the worst kept problem
        PriorityQueue<long[]> heap = heaps.computeIfAbsent(bucket, b -> new PriorityQueue<>((x, y) -> {
            int c = Long.compare(y[0], x[0]);
            return c != 0 ? c : Long.compare(y[1], x[1]);
        }));
        long[] entry = {rank(mix.seed(), id), index};
        if (heap.size() < quota) {
            heap.add(entry);
        } else {
            long[] worst = heap.peek();
            if (entry[0] < worst[0] || entry[0] == worst[0] && entry[1] < worst[1]) {
                heap.poll();
                heap.add(entry);
            }
        }
    }

    /** The indices kept so far. */
    public BitSet selected() {
        BitSet out = new BitSet();
        for (PriorityQueue<long[]> heap : heaps.values()) {
            for (long[] e : heap) {
                if (e[1] > Integer.MAX_VALUE) {
                    throw new IllegalStateException("problem index " + e[1] + " is beyond the selection's range");
                }
                out.set((int) e[1]);
            }
        }
        return out;
    }

    /** Each named bucket's quota. */
    public Map<Integer, Integer> quotas() {
        return Map.copyOf(quotas);
    }

    /** Problems offered per bucket. */
    public Map<Integer, Long> offered() {
        return Map.copyOf(offered);
    }

    /** Buckets that had fewer problems than their quota, with how many were missing. */
    public Map<Integer, Integer> shortfall() {
        Map<Integer, Integer> out = new HashMap<>();
        for (Map.Entry<Integer, Integer> e : quotas.entrySet()) {
            long have = offered.getOrDefault(e.getKey(), 0L);
            if (have < e.getValue()) {
                out.put(e.getKey(), (int) (e.getValue() - have));
            }
        }
        return out;
    }

    /** Selects from a list in memory: the chosen problems in input order. */
    public static List<ScoredProblem> select(Selection.TargetMix mix, List<ScoredProblem> problems) {
        MixSelector s = new MixSelector(mix);
        for (int i = 0; i < problems.size(); i++) {
            ScoredProblem p = problems.get(i);
            s.offer(i, p.problem().id(), p.difficulty().bucket());
        }
        BitSet chosen = s.selected();
        List<ScoredProblem> out = new ArrayList<>();
        for (int i = chosen.nextSetBit(0); i >= 0; i = chosen.nextSetBit(i + 1)) {
            out.add(problems.get(i));
        }
        return out;
    }
}
