package ai.redstar.examples.bench;

import ai.djl.Device;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.progress.Progress;
import ai.redstar.train.Batching;
import ai.redstar.train.SftData;
import ai.redstar.train.SftTrainer;
import ai.redstar.train.TokenizedExample;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar bench sft}: {@link SftTrainer} throughput on the "small" configuration of {@code bench core} with
 * packing into rows of 512 and of 2048 tokens (2048 tokens per step either way), measured in the same JVM right
 * after {@code bench core}'s raw forward/backward/AdamW loop on the same shapes, so the two are comparable; the MFU as
 * {@code bench core} defines it; the peak resident memory; and the resident memory of a tiny SFT run every 1000
 * steps (flat over the last 1000 steps once the allocator has settled).
 *
 * <p>The data are synthetic records of uniformly random length (32 to the row length) whose first fifth is an
 * unlearned prompt; SFT tokens/s counts real (non-padding) tokens, as the trainer reports them, and includes reading
 * and collating the batch, the loss on learned tokens, global-norm clipping and the AdamW update.
 *
 * <p>Figures, one JSON line each: {@code matmul_peak_gflops}, per row length {@code core_train_tokens_per_s},
 * {@code sft_tokens_per_s} (with {@code ratio_to_core} and {@code mfu}), then {@code peak_rss_mb} and
 * {@code sft_rss_mb}. Start the JVM with the tuned allocator as the launcher does (see {@code bench core}).
 */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = "SftTrainer tokens/s and MFU vs raw training, peak RSS, memory flatness (one JSON line per figure).")
public final class SftBench implements Callable<Integer> {
    @Option(names = "--lengths", split = ",", defaultValue = "512,2048",
            description = "Packed row lengths (default ${DEFAULT-VALUE}).")
    int[] lengths;

    @Option(names = "--batch-tokens", defaultValue = "2048",
            description = "Tokens per step (default ${DEFAULT-VALUE}, bench core's 4 x 512).")
    int batchTokens;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "8",
            description = "Timed steps per measurement; 0 skips throughput (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--matmul-reps", defaultValue = "10",
            description = "Repetitions per matmul shape (default ${DEFAULT-VALUE}).")
    int matmulReps;

    @Option(names = "--memory-steps", defaultValue = "3000",
            description = "Steps of the tiny memory run, at least 2000 to measure; 0 skips it (default ${DEFAULT-VALUE}).")
    int memorySteps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights and data (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        Device device = Device.cpu();
        // Memory first, as bench core does: the tuned allocator keeps the small model's peak afterwards.
        if (memorySteps > 0) {
            memory(device);
        }
        if (steps > 0) {
            throughput(device);
        }
        JsonObject peak = BenchFigures.figure("peak_rss_mb");
        peak.addProperty("value", BenchFigures.round(BenchFigures.statusKb("VmHWM") / 1024.0));
        peak.addProperty("note", "VmHWM of the whole benchmark JVM");
        BenchFigures.print(peak);
        return 0;
    }

    private void throughput(Device device) {
        ModelConfig config = CoreBench.smallConfig();
        double peakGflops = CoreBench.matmulPeak(config, device, batchTokens, matmulReps);
        double flopsPerToken = 6.0 * config.parameterCount();
        for (int length : lengths) {
            int rows = Math.max(1, batchTokens / length);
            double[] core;
            boolean resettable = resetPeakRss();
            long coreStart = BenchFigures.statusKb("VmRSS");
            try (CausalLm model = CausalLm.randomInit(config, seed, device)) {
                core = rates(CoreBench.train(model, rows, length, warmup, steps, seed), (double) rows * length);
            }
            long corePeak = BenchFigures.statusKb("VmHWM");
            resetPeakRss();
            long sftStart = BenchFigures.statusKb("VmRSS");
            double[] sft = sftRates(config, length, device);
            long sftPeak = BenchFigures.statusKb("VmHWM");
            JsonObject c = BenchFigures.figure("core_train_tokens_per_s");
            c.addProperty("row_length", length);
            c.addProperty("rows", rows);
            c.addProperty("median", BenchFigures.round(BenchFigures.median(core)));
            c.addProperty("best", BenchFigures.round(core[core.length - 1]));
            c.addProperty("steps", steps);
            if (resettable) {
                c.addProperty("peak_rss_mb", BenchFigures.round(corePeak / 1024.0));
                c.addProperty("rss_at_start_mb", BenchFigures.round(coreStart / 1024.0));
            }
            BenchFigures.print(c);
            JsonObject s = BenchFigures.figure("sft_tokens_per_s");
            s.addProperty("row_length", length);
            s.addProperty("batch_tokens", batchTokens);
            s.addProperty("median", BenchFigures.round(BenchFigures.median(sft)));
            s.addProperty("best", BenchFigures.round(sft[sft.length - 1]));
            s.addProperty("ratio_to_core_median", BenchFigures.round(BenchFigures.median(sft) / BenchFigures.median(core)));
            s.addProperty("ratio_to_core_best", BenchFigures.round(sft[sft.length - 1] / core[core.length - 1]));
            s.addProperty("mfu_median", BenchFigures.round(flopsPerToken * BenchFigures.median(sft) / (peakGflops * 1e9)));
            s.addProperty("mfu_best", BenchFigures.round(flopsPerToken * sft[sft.length - 1] / (peakGflops * 1e9)));
            s.addProperty("mfu_definition", "6 * parameters * tokens/s / matmul_peak");
            s.addProperty("steps", steps);
            s.addProperty("parameters", config.parameterCount());
            if (resettable) {
                s.addProperty("peak_rss_mb", BenchFigures.round(sftPeak / 1024.0));
                s.addProperty("rss_at_start_mb", BenchFigures.round(sftStart / 1024.0));
                s.addProperty("peak_rss_note", "VmHWM during this measurement (reset through /proc/self/clear_refs);"
                        + " the tuned allocator keeps what earlier measurements freed, counted from the start");
            }
            BenchFigures.print(s);
        }
    }

    /** Sorted tokens/s of the timed steps of an SFT run with packing into rows of {@code length}. */
    private double[] sftRates(ModelConfig config, int length, Device device) {
        SftData data = SftData.of(examples(600, 32, length, config.vocabSize(), seed));
        List<Double> rates = new ArrayList<>();
        try (CausalLm model = CausalLm.randomInit(config, seed, device)) {
            SftTrainer.builder(model, data).maxLength(length).batchTokens(batchTokens).batching(Batching.PACKED)
                    .maxSteps(warmup + steps).learningRate(1e-4).seed(seed).progress(Progress.Mode.OFF)
                    .onStep(m -> {
                        if (m.step() > warmup) {
                            rates.add(m.tokensPerSecond());
                        }
                    }).build().fit();
        }
        return rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /**
     * RSS of a tiny SFT run after 100, 1000, 2000, ... and {@code memorySteps} steps. The allocator settles over the
     * first ~2000 steps (row widths vary, so new tensor sizes keep appearing); the growth over the last 1000 steps is
     * the leak test (a 10,000-step run measured 260 MB after 2000 steps and 263 MB after 10,000).
     */
    private void memory(Device device) {
        ModelConfig config = CoreBench.tinyConfig();
        SftData data = SftData.of(examples(200, 8, 64, config.vocabSize(), seed));
        Map<Long, long[]> samples = new TreeMap<>();
        try (CausalLm model = CausalLm.randomInit(config, seed, device)) {
            SftTrainer.builder(model, data).maxLength(64).batchTokens(256).maxSteps(memorySteps).learningRate(1e-4)
                    .seed(seed).progress(Progress.Mode.OFF).onStep(m -> {
                        if (m.step() == 100 || m.step() % 1000 == 0 || m.step() == memorySteps) {
                            long rss = BenchFigures.settledRssKb();
                            long heap = Runtime.getRuntime().totalMemory() / 1024;
                            samples.put(m.step(), new long[] {rss, heap});
                        }
                    }).build().fit();
        }
        JsonObject f = BenchFigures.figure("sft_rss_mb");
        samples.forEach((step, kb) -> f.addProperty("after_" + step, BenchFigures.round(kb[0] / 1024.0)));
        long last = memorySteps;
        long first = last - 1000;
        if (first >= 1000 && samples.containsKey(first)) {
            long[] a = samples.get(first);
            long[] b = samples.get(last);
            f.addProperty("growth_" + first + "_to_" + last + "_mb", BenchFigures.round((b[0] - a[0]) / 1024.0));
            f.addProperty("growth_per_step_kb", BenchFigures.round((b[0] - a[0]) / 1000.0));
            f.addProperty("java_heap_committed_mb", BenchFigures.round(b[1] / 1024.0));
        }
        f.addProperty("note", "RSS read after System.gc(); packed rows of 64,"
                + " 4 rows per step, AdamW, clipping; the first ~2000 steps settle the allocator");
        f.addProperty("config", "qwen2 tiny: hidden 64, 2 layers, vocab 256");
        BenchFigures.print(f);
    }

    /** Random records of uniform length in [min, max], the first fifth unlearned. */
    static List<TokenizedExample> examples(int count, int min, int max, int vocab, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TokenizedExample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = random.nextInt(min, max + 1);
            int[] ids = new int[n];
            boolean[] mask = new boolean[n];
            for (int t = 0; t < n; t++) {
                ids[t] = random.nextInt(vocab);
                mask[t] = t >= n / 5;
            }
            out.add(new TokenizedExample(ids, mask));
        }
        return out;
    }

    private static double[] rates(double[] seconds, double tokens) {
        return Arrays.stream(seconds).map(s -> tokens / s).sorted().toArray();
    }

    /** Resets the process's peak RSS (VmHWM) to its current RSS; false where the kernel does not allow it. */
    private static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

}
