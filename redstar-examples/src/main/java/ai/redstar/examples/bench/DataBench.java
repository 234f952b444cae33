package ai.redstar.examples.bench;

import ai.redstar.data.dedup.ExactDedup;
import ai.redstar.data.dedup.MinHash;
import ai.redstar.data.dedup.MinHashIndex;
import ai.redstar.data.filter.Candidate;
import ai.redstar.data.filter.FormatFilter;
import ai.redstar.data.filter.LanguageMixFilter;
import ai.redstar.data.filter.LengthFilter;
import ai.redstar.data.filter.Rejection;
import ai.redstar.data.filter.RepetitionFilter;
import ai.redstar.data.filter.TokenCounter;
import ai.redstar.data.filter.TraceFilter;
import ai.redstar.data.filter.TruncationFilter;
import ai.redstar.data.filter.VerifiedFilter;
import ai.redstar.data.problem.Problem;
import ai.redstar.data.sample.FinishReason;
import ai.redstar.data.sample.Sample;
import ai.redstar.data.sample.Trace;
import ai.redstar.verify.RuleVerifier;
import com.google.gson.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar bench data}: how fast traces are filtered, verified and deduplicated.
 *
 * <p>A synthetic corpus of long reasoning traces (about {@code --tokens} tokens each by the library's approximate
 * count, that is about four characters per token) is generated on the fly from a seed, never stored: varied English
 * reasoning steps with numbers and LaTeX in paragraphs inside {@code <think>}, then a final answer in
 * {@code \boxed{}}. About 70% are right, and the rest are wrong answers, cut at the length limit, looping, drifting
 * into Chinese, missing the box, or near copies of an earlier trace. Each worker thread takes the next trace, and for
 * each: runs the truncation, format, length, repetition and language filters, verifies the final answer against the
 * gold with the {@code RuleVerifier} (every trace, as {@code LongCotDataset} does), and adds the trace's exact
 * fingerprint and MinHash signature (16 bands × 8 rows, 5-word shingles) to shared dedup indexes.
 *
 * <p>Figures, one JSON line each ({@code {"bench":"data","figure":...,"value":...}}): traces per second of wall time
 * (generation included), traces per CPU second (over the worker threads, robust to other load on the machine), peak
 * RSS ({@code VmHWM} of {@code /proc/self/status}), and the corpus outcome (kept, dropped per reason, duplicates) so
 * that a change in speed can be told from a change in work.
 */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Filter + verify + dedup throughput over a synthetic corpus of long traces (one JSON line per figure).")
public final class DataBench implements Callable<Integer> {

    @Option(names = "--traces", defaultValue = "100000", description = "Traces in the corpus (default ${DEFAULT-VALUE}).")
    long traces;

    @Option(names = "--tokens", defaultValue = "4000", description = "Approximate tokens per trace (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--threads", description = "Worker threads (default: the available processors).")
    Integer threads;

    @Option(names = "--warmup", defaultValue = "2000", description = "Untimed traces first, to compile the hot code (default ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the corpus (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        run(traces, tokens, threads == null ? Runtime.getRuntime().availableProcessors() : threads, warmup, seed,
                System.out::println);
        return 0;
    }

    /** The filters, verifier and dedup indexes a run shares across its threads. */
    private static final class Work {
        final List<TraceFilter> filters = List.of(TruncationFilter.standard(), FormatFilter.standard(),
                LengthFilter.between(256, 16_384), RepetitionFilter.standard(), LanguageMixFilter.standard());
        final RuleVerifier verifier = RuleVerifier.builder().parallelism(1).build();
        final TokenCounter counter = TokenCounter.approximate();
        final ExactDedup exact = ExactDedup.create();
        final MinHash minHash = MinHash.builder().seed(7).build();
        final MinHashIndex near = minHash.newIndex();
        final LongAdder kept = new LongAdder();
        final LongAdder exactDuplicates = new LongAdder();
        final LongAdder nearDuplicates = new LongAdder();
        final LongAdder chars = new LongAdder();
        final Map<String, LongAdder> drops = new ConcurrentHashMap<>();

        void process(Corpus.Item item) {
            Candidate c = Candidate.of(item.problem(), item.trace(), counter, verifier);
            c.verdict();
            chars.add(c.text().length());
            Rejection why = null;
            for (TraceFilter f : filters) {
                Optional<Rejection> r = f.check(c);
                if (r.isPresent()) {
                    why = r.get();
                    break;
                }
            }
            if (why == null) {
                why = VerifiedFilter.create().check(c).orElse(null);
            }
            long id = item.index();
            if (exact.add(ExactDedup.fingerprint(c.text()), id).isPresent()) {
                exactDuplicates.increment();
            } else if (near.add(minHash.signature(c.text()), id).isPresent()) {
                nearDuplicates.increment();
            }
            if (why == null) {
                kept.increment();
            } else {
                drops.computeIfAbsent(why.key(), k -> new LongAdder()).increment();
            }
        }
    }

    /** Runs the benchmark and hands each JSON line to {@code out}. */
    public static void run(long traces, int tokens, int threads, long warmup, long seed, Consumer<String> out) {
        if (traces < 1 || tokens < 100 || threads < 1 || warmup < 0) {
            throw new IllegalArgumentException("need traces >= 1, tokens >= 100, threads >= 1, warmup >= 0; got "
                    + traces + ", " + tokens + ", " + threads + ", " + warmup);
        }
        Corpus corpus = new Corpus(seed, tokens);
        if (warmup > 0) {
            runThreads(new Work(), new Corpus(seed + 1, tokens), warmup, threads);
        }
        Work work = new Work();
        long start = System.nanoTime();
        long cpuNanos = runThreads(work, corpus, traces, threads);
        double wall = (System.nanoTime() - start) / 1e9;

        JsonObject rate = figure("traces_per_s", round(traces / wall));
        rate.addProperty("traces", traces);
        rate.addProperty("threads", threads);
        rate.addProperty("mean_chars", work.chars.sum() / traces);
        rate.addProperty("mean_tokens_approx", work.chars.sum() / traces / 4);
        rate.addProperty("seconds", round(wall));
        rate.addProperty("target", 2000);
        out.accept(rate.toString());
        JsonObject perCpu = figure("traces_per_cpu_s", round(traces / Math.max(cpuNanos / 1e9, 1e-9)));
        perCpu.addProperty("note", "traces per second of the worker threads' CPU time: unaffected by other load");
        out.accept(perCpu.toString());
        JsonObject rss = figure("peak_rss_mib", round(BenchFigures.statusKb("VmHWM") / 1024.0));
        rss.addProperty("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        rss.addProperty("target", 1024);
        out.accept(rss.toString());
        JsonObject outcome = figure("kept_share", round3((double) work.kept.sum() / traces));
        outcome.addProperty("kept", work.kept.sum());
        outcome.addProperty("exact_duplicates", work.exactDuplicates.sum());
        outcome.addProperty("near_duplicates", work.nearDuplicates.sum());
        JsonObject drops = new JsonObject();
        new TreeMap<>(work.drops).forEach((k, v) -> drops.addProperty(k, v.sum()));
        outcome.add("drops", drops);
        out.accept(outcome.toString());
    }

    /** Processes {@code count} corpus items on {@code threads} threads; returns their CPU time in nanoseconds. */
    private static long runThreads(Work work, Corpus corpus, long count, int threads) {
        AtomicLong next = new AtomicLong();
        AtomicLong cpu = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                long cpuStart = mx.getCurrentThreadCpuTime();
                try {
                    while (true) {
                        long from = next.getAndAdd(32);
                        if (from >= count) {
                            break;
                        }
                        for (long i = from; i < Math.min(count, from + 32); i++) {
                            work.process(corpus.item(i));
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    cpu.addAndGet(mx.getCurrentThreadCpuTime() - cpuStart);
                }
            }, "bench-data-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a worker failed: " + failures.get(0), failures.get(0));
        }
        return cpu.get();
    }

    /** The synthetic corpus: item {@code i} is a pure function of the seed and {@code i}. */
    static final class Corpus {
        record Item(long index, Problem problem, Trace trace) {
        }

        private static final String[] OPENERS = {"Let me", "Now I", "First, I", "Then I", "Next, I", "Hmm, I",
            "Wait, I", "Alternatively, I", "So I", "OK, I"};
        private static final String[] VERBS = {"compute", "check", "simplify", "expand", "factor", "substitute",
            "rewrite", "estimate", "bound", "verify"};
        private static final String[] OBJECTS = {"the sum", "the product", "the expression", "the remainder",
            "the equation", "the inequality", "the area", "the ratio", "the difference", "the coefficient"};
        private static final String[] CONNECTIVES = {"which gives", "so we get", "and that means", "hence",
            "therefore", "leading to", "so", "which is", "giving", "and thus"};
        private static final String CHINESE = "我们需要重新检查这个计算过程，然后把每一步的结果都写清楚，确保最后的答案是正确的。";

        private final long seed;
        private final int chars;

        Corpus(long seed, int tokens) {
            this.seed = seed;
            this.chars = tokens * 4;
        }

        Item item(long i) {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
            int a = 10 + r.nextInt(990);
            int b = 10 + r.nextInt(990);
            int sum = a + b;
            String id = "syn-" + i;
            Problem problem = Problem.math(i + 1, id, "What is " + a + " + " + b + "?", String.valueOf(sum));
            int kind = r.nextInt(100);
            if (kind >= 95 && i >= 100) {
                // a near copy of an earlier item: the same text with one number changed
                long earlier = i - 1 - r.nextInt(99);
                Item original = item(earlier);
                String text = original.trace().text().replaceFirst("Step 3 ", "Step three ");
                return new Item(i, original.problem(), trace(id, text, FinishReason.STOP));
            }
            StringBuilder s = new StringBuilder(chars + 200).append("<think>\n");
            int target = kind < 90 && kind >= 85 ? chars * 2 : chars;
            int step = 0;
            while (s.length() < target - 100) {
                int sentences = 3 + r.nextInt(4);
                for (int k = 0; k < sentences; k++) {
                    step++;
                    s.append("Step ").append(step).append(' ').append(OPENERS[r.nextInt(OPENERS.length)]).append(' ')
                            .append(VERBS[r.nextInt(VERBS.length)]).append(' ')
                            .append(OBJECTS[r.nextInt(OBJECTS.length)]).append(" $").append(r.nextInt(1000))
                            .append(" \\times ").append(r.nextInt(100)).append(" + ").append(r.nextInt(10_000))
                            .append("$, ").append(CONNECTIVES[r.nextInt(CONNECTIVES.length)]).append(" $")
                            .append(r.nextInt(1_000_000)).append("$ after ").append(r.nextInt(50))
                            .append(" more operations.");
                    s.append(k + 1 < sentences ? ' ' : '\n');
                }
                if (kind >= 75 && kind < 80 && step > 40 && step < 48) {
                    s.append(CHINESE).append('\n');
                }
                s.append('\n');
            }
            if (kind >= 80 && kind < 85) {
                String loop = "Wait, that does not look right. Let me go back and recompute the sum of " + a + " and "
                        + b + " once more, carefully, digit by digit.\n\n";
                s.setLength(Math.max(8, s.length() - loop.length() * 8));
                s.append(loop.repeat(8));
            }
            if (kind >= 85 && kind < 90) {
                return new Item(i, problem, trace(id, s.toString(), FinishReason.LENGTH));
            }
            s.append("</think>\n\nAdding the two numbers gives ").append(a).append(" + ").append(b).append(" = ");
            if (kind >= 70 && kind < 75) {
                s.append(sum + 1).append(". The answer is $\\boxed{").append(sum + 1).append("}$.");
            } else if (kind >= 90 && kind < 95) {
                s.append(sum).append(", so the answer is ").append(sum).append('.');
            } else {
                s.append(sum).append(". The answer is $\\boxed{").append(sum).append("}$.");
            }
            return new Item(i, problem, trace(id, s.toString(), FinishReason.STOP));
        }

        private static Trace trace(String id, String text, FinishReason finish) {
            return new Trace(id, 0, "synthetic", new Sample(Optional.empty(), text, finish,
                    finish == FinishReason.STOP ? "stop" : "length", OptionalInt.empty()));
        }
    }


    private static JsonObject figure(String name, double value) {
        JsonObject o = new JsonObject();
        o.addProperty("bench", "data");
        o.addProperty("figure", name);
        o.addProperty("value", value);
        return o;
    }

    private static double round(double x) {
        return Math.round(x * 10) / 10.0;
    }

    private static double round3(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
