package ai.redstar.examples.bench;

import static ai.redstar.examples.bench.BenchFigures.figure;
import static ai.redstar.examples.bench.BenchFigures.median;
import static ai.redstar.examples.bench.BenchFigures.print;
import static ai.redstar.examples.bench.BenchFigures.round;
import static ai.redstar.examples.bench.BenchFigures.settledRssKb;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import com.google.gson.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar bench core}: training throughput of {@link CausalLm} on the "small" configuration and the model
 * FLOP utilisation against the best fp32 matmul rate measured in the same run on the model's own shapes, plus the
 * resident memory of a tiny training loop after 100, 1000 and 2000 steps (it must stay flat; the first few hundred
 * steps warm up the allocator and JIT, so the growth from 1000 to 2000 is the leak test).
 *
 * <p>Figures, one JSON line each: {@code matmul_peak_gflops}, {@code train_tokens_per_s}, {@code mfu},
 * {@code rss_mb}; every line names the allocator that ran (start the JVM with
 * {@code GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=1
 * THP_MEM_ALLOC_ENABLE=1}, as the launcher does).
 */
@Command(name = "core", mixinStandardHelpOptions = true,
        description = "CausalLm training throughput, MFU and memory flatness (one JSON line per figure).")
public final class CoreBench implements Callable<Integer> {

    @Option(names = "--batch", defaultValue = "4", description = "Rows per training step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", defaultValue = "512", description = "Tokens per row (default ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed training steps (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", defaultValue = "8",
            description = "Timed training steps; 0 skips the matmul and training figures (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--matmul-reps", defaultValue = "10",
            description = "Repetitions per matmul shape (default ${DEFAULT-VALUE}).")
    int matmulReps;

    @Option(names = "--memory-steps", defaultValue = "2000",
            description = "Steps of the tiny memory loop; 0 skips it (default ${DEFAULT-VALUE}).")
    int memorySteps;

    @Option(names = "--threads", defaultValue = "0",
            description = "PyTorch intra-op threads; 0 keeps the engine's default (one per core) (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--generation", defaultValue = "true", negatable = true,
            description = "Also print the generation figures of `bench gen` (default ${DEFAULT-VALUE}).")
    boolean generation;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights and data (default ${DEFAULT-VALUE}).")
    long seed;

    /** The "small" configuration: 26.8M parameters, Qwen2 biases, tied head. */
    static ModelConfig smallConfig() {
        return ModelConfig.builder(ModelType.QWEN2).vocabSize(8192).hiddenSize(512).intermediateSize(1408)
                .numHiddenLayers(8).numAttentionHeads(8).numKeyValueHeads(2).tieWordEmbeddings(true).build();
    }

    static ModelConfig tinyConfig() {
        return ModelConfig.builder(ModelType.QWEN2).vocabSize(256).hiddenSize(64).intermediateSize(176)
                .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).tieWordEmbeddings(true).build();
    }

    @Override
    public Integer call() {
        if (threads > 0) {
            // read by DJL's PyTorch engine when it loads, which has not happened yet in this JVM
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        Device device = Device.cpu();
        // Memory first: with the tuned allocator freed memory is kept, so after the small model's steps the RSS
        // would be dominated by their peak.
        if (memorySteps > 0) {
            memory(device);
        }
        if (steps > 0) {
            throughput(device);
        }
        if (generation) {
            // the generation figures (batch 8 and 32) belong to bench core too; bench gen runs them alone
            return new picocli.CommandLine(new GenerationBench()).execute();
        }
        return 0;
    }

    private void throughput(Device device) {
        ModelConfig config = smallConfig();
        double peak = matmulPeak(config, device, (long) batch * seq, matmulReps);
        try (CausalLm model = CausalLm.randomInit(config, seed, device)) {
            double[] seconds = train(model, batch, seq, warmup, steps, seed);
            double tokens = (double) batch * seq;
            double[] rates = Arrays.stream(seconds).map(s -> tokens / s).sorted().toArray();
            double median = median(rates);
            double best = rates[rates.length - 1];
            JsonObject t = figure("train_tokens_per_s");
            t.addProperty("median", round(median));
            t.addProperty("best", round(best));
            t.addProperty("steps", steps);
            t.addProperty("warmup", warmup);
            t.addProperty("batch", batch);
            t.addProperty("seq", seq);
            t.addProperty("parameters", config.parameterCount());
            t.addProperty("step_seconds_median", round(median(Arrays.stream(seconds).sorted().toArray())));
            print(t);
            double flopsPerToken = 6.0 * config.parameterCount();
            JsonObject mfu = figure("mfu");
            mfu.addProperty("median", round(flopsPerToken * median / (peak * 1e9)));
            mfu.addProperty("best", round(flopsPerToken * best / (peak * 1e9)));
            mfu.addProperty("matmul_peak_gflops", round(peak));
            mfu.addProperty("definition", "6 * parameters * tokens/s / matmul_peak");
            print(mfu);
        }
    }

    /**
     * Best fp32 GFLOP/s of {@code x·Wᵀ} (the model's linear op) over the big shapes of one training step of
     * {@code rows} tokens; prints the figure.
     */
    static double matmulPeak(ModelConfig c, Device device, long rows, int matmulReps) {
        long h = c.hiddenSize();
        long[][] shapes = {{rows, h, c.intermediateSize()}, {rows, c.intermediateSize(), h}, {rows, h, h},
                {rows, h, c.vocabSize()}};
        double best = 0;
        String bestShape = "";
        try (NDManager m = NDManager.newBaseManager(device)) {
            for (long[] s : shapes) {
                NDArray x = m.randomNormal(new Shape(s[0], s[1]));
                NDArray w = m.randomNormal(new Shape(s[2], s[1]));
                for (int rep = 0; rep < matmulReps + 2; rep++) {
                    try (NDScope scope = new NDScope()) {
                        long start = System.nanoTime();
                        NDArray y = Linear.linear(x, w).singletonOrThrow();
                        y.getFloat(0, 0);
                        double secondsTaken = (System.nanoTime() - start) / 1e9;
                        double gflops = 2.0 * s[0] * s[1] * s[2] / secondsTaken / 1e9;
                        if (rep >= 2 && gflops > best) {
                            best = gflops;
                            bestShape = s[0] + "x" + s[1] + "x" + s[2];
                        }
                    }
                }
            }
        }
        JsonObject f = figure("matmul_peak_gflops");
        f.addProperty("value", round(best));
        f.addProperty("shape", bestShape);
        f.addProperty("op", "x[m,k] . W[n,k]^T fp32");
        print(f);
        return best;
    }

    /**
     * Runs {@code warmup + steps} training steps (forward, next-token cross-entropy, backward, DJL AdamW update) on
     * random tokens and returns the seconds of each timed step.
     */
    static double[] train(CausalLm model, int batch, int seq, int warmup, int steps, long seed) {
        Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-4f)).build();
        Engine.getInstance().setRandomSeed((int) seed);
        double[] seconds = new double[steps];
        try (NDManager data = NDManager.newBaseManager(model.device())) {
            int vocab = model.config().vocabSize();
            NDArray tokens = data.randomInteger(0, vocab, new Shape(batch, seq + 1), DataType.INT64);
            NDArray ids = tokens.get(":, 0:" + seq);
            NDArray targets = tokens.get(":, 1:").expandDims(2);
            NDArray positions = data.arange(0, seq, 1, DataType.INT64).reshape(1, seq).repeat(0, batch);
            NDArray segments = positions.onesLike();
            for (int step = 0; step < warmup + steps; step++) {
                long start = System.nanoTime();
                trainStep(model, adamW, ids, positions, segments, targets);
                if (step >= warmup) {
                    seconds[step - warmup] = (System.nanoTime() - start) / 1e9;
                }
            }
        }
        return seconds;
    }

    static float trainStep(CausalLm model, Optimizer adamW, NDArray ids, NDArray positions, NDArray segments,
            NDArray targets) {
        float loss;
        try (NDScope scope = new NDScope()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(ids, positions, segments);
                NDArray nll = logits.logSoftmax(2).gather(targets, 2).mean().neg();
                collector.backward(nll);
                loss = nll.getFloat();
            }
        }
        // Outside the scope: AdamW creates its moment arrays on the first update and keeps them.
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            try (NDArray gradient = e.getValue().getGradient()) {
                adamW.update(e.getKey(), e.getValue(), gradient); // zeroes the gradient afterwards
            }
        }
        return loss;
    }

    /** RSS of a tiny training loop after 100, 1000 and {@code memorySteps} steps. */
    private void memory(Device device) {
        try (CausalLm model = CausalLm.randomInit(tinyConfig(), seed, device)) {
            Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-4f)).build();
            try (NDManager data = NDManager.newBaseManager(device)) {
                int rows = 4;
                int length = 64;
                NDArray tokens = data.randomInteger(0, 256, new Shape(rows, length + 1), DataType.INT64);
                NDArray ids = tokens.get(":, 0:" + length);
                NDArray targets = tokens.get(":, 1:").expandDims(2);
                NDArray positions = data.arange(0, length, 1, DataType.INT64).reshape(1, length).repeat(0, rows);
                NDArray segments = positions.onesLike();
                Map<Integer, Long> rss = new java.util.TreeMap<>();
                for (int step = 1; step <= memorySteps; step++) {
                    trainStep(model, adamW, ids, positions, segments, targets);
                    if (step == 100 || step == 1000 || step == memorySteps) {
                        rss.put(step, settledRssKb());
                    }
                }
                JsonObject f = figure("rss_mb");
                rss.forEach((step, kb) -> f.addProperty("after_" + step, round(kb / 1024.0)));
                if (rss.containsKey(100) && rss.containsKey(1000)) {
                    f.addProperty("growth_100_to_1000_mb", round((rss.get(1000) - rss.get(100)) / 1024.0));
                }
                if (memorySteps > 1000) {
                    f.addProperty("growth_1000_to_" + memorySteps + "_mb",
                            round((rss.get(memorySteps) - rss.get(1000)) / 1024.0));
                }
                f.addProperty("java_heap_used_mb",
                        round(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0));
                f.addProperty("note", "RSS read after System.gc(), so Java garbage does not count as growth");
                f.addProperty("config", "qwen2 tiny: hidden 64, 2 layers, vocab 256, batch 4 x 64");
                print(f);
            }
        }
    }


}
