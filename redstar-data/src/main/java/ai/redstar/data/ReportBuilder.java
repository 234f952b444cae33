package ai.redstar.data;

import ai.redstar.data.difficulty.DifficultyScorer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Gathers a {@link DatasetReport} from the screening log and the journal of an output directory. Not thread-safe. */
final class ReportBuilder {
    private static final int MAX_LISTED = 100;

    private final int buckets;
    private long read;
    private long malformed;
    private final Map<String, Long> statuses = new TreeMap<>();
    private long selected;
    private long done;
    private long samplerFailures;
    private final JsonArray contaminated = new JsonArray();
    private long contaminatedTotal;
    private final long[] scored;
    private final long[] selectedPerBucket;
    private final long[] donePerBucket;
    private final long[] tracesPerBucket;
    private final long[] correctPerBucket;
    private final long[] keptPerBucket;
    private long sampled;
    private long kept;
    private long pairs;
    private final Map<String, Long> verdicts = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> drops = new LinkedHashMap<>();
    private int[] lengths = new int[1024];
    private int lengthCount;

    ReportBuilder(int buckets, List<String> filterOrder) {
        this.buckets = buckets;
        scored = new long[buckets];
        selectedPerBucket = new long[buckets];
        donePerBucket = new long[buckets];
        tracesPerBucket = new long[buckets];
        correctPerBucket = new long[buckets];
        keptPerBucket = new long[buckets];
        for (String status : new String[] {"correct", "wrong", "no_answer", "undecided"}) {
            verdicts.put(status, 0L);
        }
        for (String f : filterOrder) {
            drops.put(f, new TreeMap<>());
        }
        drops.put("verified", new TreeMap<>());
    }

    void malformedSkipped(long count) {
        malformed = count;
    }

    void samplerFailures(long count) {
        samplerFailures = count;
    }

    /** One line of the screening log, and whether the selection took it. */
    void screened(JsonObject e, boolean isSelected) {
        read++;
        String status = e.get("status").getAsString();
        statuses.merge(status, 1L, Long::sum);
        if (status.equals("contaminated")) {
            contaminatedTotal++;
            if (contaminated.size() < MAX_LISTED) {
                JsonObject c = new JsonObject();
                c.add("id", e.get("id"));
                c.add("line", e.get("line"));
                c.add("overlaps", e.get("overlaps"));
                contaminated.add(c);
            }
        }
        int bucket = e.has("bucket") ? e.get("bucket").getAsInt() : -1;
        if (bucket >= 0 && bucket < buckets) {
            scored[bucket]++;
            if (isSelected) {
                selectedPerBucket[bucket]++;
            }
        }
        if (isSelected) {
            selected++;
        }
    }

    /** One line of the journal: a finished problem. */
    void finished(JsonObject e) {
        done++;
        int samples = e.get("samples").getAsInt();
        int keptHere = e.get("kept").getAsInt();
        sampled += samples;
        kept += keptHere;
        pairs += e.get("pairs").getAsLong();
        long correct = 0;
        for (Map.Entry<String, JsonElement> v : e.getAsJsonObject("verdicts").entrySet()) {
            verdicts.merge(v.getKey(), v.getValue().getAsLong(), Long::sum);
            if (v.getKey().equals("correct")) {
                correct = v.getValue().getAsLong();
            }
        }
        for (Map.Entry<String, JsonElement> d : e.getAsJsonObject("drops").entrySet()) {
            String key = d.getKey();
            int slash = key.indexOf('/');
            drops.computeIfAbsent(key.substring(0, slash), k -> new TreeMap<>())
                    .merge(key.substring(slash + 1), d.getValue().getAsLong(), Long::sum);
        }
        for (JsonElement t : e.getAsJsonArray("kept_tokens")) {
            if (lengthCount == lengths.length) {
                lengths = Arrays.copyOf(lengths, lengths.length * 2);
            }
            lengths[lengthCount++] = t.getAsInt();
        }
        int bucket = e.has("bucket") ? e.get("bucket").getAsInt() : -1;
        if (bucket >= 0 && bucket < buckets) {
            donePerBucket[bucket]++;
            tracesPerBucket[bucket] += samples;
            correctPerBucket[bucket] += correct;
            keptPerBucket[bucket] += keptHere;
        }
    }

    DatasetReport build(JsonObject selection) {
        JsonObject root = new JsonObject();
        JsonObject p = new JsonObject();
        p.addProperty("read", read);
        p.addProperty("malformed_skipped", malformed);
        for (String s : new String[] {"kept", "exact_duplicate", "near_duplicate", "contaminated", "unscored"}) {
            p.addProperty(s, statuses.getOrDefault(s, 0L));
        }
        p.addProperty("selected", selected);
        p.addProperty("done", done);
        p.addProperty("remaining", selected - done);
        p.addProperty("sampler_failures", samplerFailures);
        root.add("problems", p);
        root.add("selection", selection);
        JsonObject c = new JsonObject();
        c.addProperty("count", contaminatedTotal);
        c.addProperty("listed", contaminated.size());
        c.add("problems", contaminated);
        root.add("contamination", c);
        JsonObject t = new JsonObject();
        t.addProperty("sampled", sampled);
        t.addProperty("kept", kept);
        t.addProperty("pairs", pairs);
        JsonObject v = new JsonObject();
        verdicts.forEach(v::addProperty);
        t.add("verdicts", v);
        JsonObject d = new JsonObject();
        drops.forEach((filter, reasons) -> {
            JsonObject r = new JsonObject();
            reasons.forEach(r::addProperty);
            d.add(filter, r);
        });
        t.add("drops", d);
        root.add("traces", t);
        JsonObject difficulty = new JsonObject();
        JsonArray bucketArray = new JsonArray();
        for (int b = 0; b < buckets; b++) {
            JsonObject o = new JsonObject();
            o.addProperty("bucket", b);
            o.addProperty("range", DifficultyScorer.bucketLabel(b, buckets));
            o.addProperty("scored", scored[b]);
            o.addProperty("selected", selectedPerBucket[b]);
            o.addProperty("done", donePerBucket[b]);
            o.addProperty("traces", tracesPerBucket[b]);
            o.addProperty("correct", correctPerBucket[b]);
            if (tracesPerBucket[b] > 0) {
                o.addProperty("pass_rate", (double) correctPerBucket[b] / tracesPerBucket[b]);
            } else {
                o.add("pass_rate", JsonNull.INSTANCE);
            }
            o.addProperty("kept", keptPerBucket[b]);
            bucketArray.add(o);
        }
        difficulty.add("buckets", bucketArray);
        root.add("difficulty", difficulty);
        root.add("lengths", lengths());
        return new DatasetReport(root);
    }

    private JsonObject lengths() {
        JsonObject l = new JsonObject();
        l.addProperty("count", lengthCount);
        if (lengthCount == 0) {
            l.add("histogram", new JsonArray());
            return l;
        }
        int[] sorted = Arrays.copyOf(lengths, lengthCount);
        Arrays.sort(sorted);
        double sum = 0;
        for (int x : sorted) {
            sum += x;
        }
        l.addProperty("mean", sum / lengthCount);
        l.addProperty("min", sorted[0]);
        l.addProperty("p10", quantile(sorted, 0.1));
        l.addProperty("p50", quantile(sorted, 0.5));
        l.addProperty("p90", quantile(sorted, 0.9));
        l.addProperty("max", sorted[lengthCount - 1]);
        // power-of-two bins from 256 tokens: [0, 256), [256, 512), ...
        JsonArray histogram = new JsonArray();
        long from = 0;
        long to = 256;
        int i = 0;
        while (i < sorted.length) {
            int start = i;
            while (i < sorted.length && sorted[i] < to) {
                i++;
            }
            if (i > start) {
                JsonObject h = new JsonObject();
                h.addProperty("from", from);
                h.addProperty("to", to);
                h.addProperty("count", i - start);
                histogram.add(h);
            }
            from = to;
            to *= 2;
        }
        l.add("histogram", histogram);
        return l;
    }

    /** The nearest-rank quantile. */
    private static int quantile(int[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
