package ai.redstar.examples.bench;

import ai.djl.Device;
import ai.redstar.core.generate.Completion;
import ai.redstar.core.generate.GenerationRequest;
import ai.redstar.core.generate.GenerationResult;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar bench gen}: generation throughput of {@link Generator} on the "small" configuration (hidden 512, 8 layers, 8 heads over 2 KV
 * heads, intermediate 1408, vocabulary 8192, tied head, Qwen2 biases) with random weights: prompts of 32 random tokens,
 * 128 new tokens per row (no stop token, so every row runs the full length), prefill included in the time.
 *
 * <p>Each figure is one JSON line: the median and best of {@code repeats} timed runs after one warm-up run,
 * generated tokens per second ({@code rows x 128 / seconds}), and the prefill time. Figures: greedy at batch 8 and 32,
 * and sampling (temperature 0.8, top-p 0.95) at batch 8 as 2 prompts x 4 samples (shared prefill). Start the JVM
 * with {@code GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=1
 * THP_MEM_ALLOC_ENABLE=1} (as the launcher does); every line names the allocator that ran.
 */
@Command(name = "gen", mixinStandardHelpOptions = true,
        description = "Generator throughput with a KV cache (one JSON line per figure).")
public final class GenerationBench implements Callable<Integer> {
    static final int PROMPT_TOKENS = 32;
    static final int NEW_TOKENS = 128;

    @Option(names = "--repeats", defaultValue = "5",
            description = "Timed runs per figure, after one warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    public Integer call() {
        run(repeats, System.out::println);
        return 0;
    }

    /** The benchmark's model configuration. */
    public static ModelConfig smallConfig() {
        return ModelConfig.builder(ModelType.QWEN2).vocabSize(8192).hiddenSize(512).intermediateSize(1408)
                .numHiddenLayers(8).numAttentionHeads(8).numKeyValueHeads(2).tieWordEmbeddings(true)
                .maxPositionEmbeddings(4096).build();
    }

    /**
     * Runs every figure and hands each JSON line to {@code out}.
     *
     * @param repeats timed runs per figure (after one warm-up), at least 1
     */
    public static void run(int repeats, Consumer<String> out) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats is " + repeats + "; it must be >= 1");
        }
        try (CausalLm model = CausalLm.randomInit(smallConfig(), 1, Device.cpu())) {
            SamplingParams greedy = SamplingParams.builder(NEW_TOKENS).temperature(0).stopTokenIds().build();
            out.accept(figure(model, "greedy", 8, 1, greedy, repeats));
            out.accept(figure(model, "greedy", 32, 1, greedy, repeats));
            SamplingParams sampled = SamplingParams.builder(NEW_TOKENS).temperature(0.8).topP(0.95).stopTokenIds()
                    .samplesPerPrompt(4).seed(1).build();
            out.accept(figure(model, "sampled_top_p", 8, 4, sampled, repeats));
        }
    }

    private static String figure(CausalLm model, String mode, int rows, int samplesPerPrompt, SamplingParams params,
            int repeats) {
        SplittableRandom random = new SplittableRandom(42);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int r = 0; r < rows / samplesPerPrompt; r++) {
            int[] prompt = new int[PROMPT_TOKENS];
            Arrays.setAll(prompt, i -> random.nextInt(model.config().vocabSize()));
            requests.add(GenerationRequest.of(prompt, params));
        }
        long[] prefillEnd = new long[1];
        Generator generator = Generator.builder(model).maxBatchRows(rows)
                .listener(step -> {
                    if (step.step() == 0) {
                        prefillEnd[0] = System.nanoTime();
                    }
                })
                .build();
        generator.generate(requests); // warm-up
        double[] tokensPerSecond = new double[repeats];
        double[] prefillMs = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            List<GenerationResult> results = generator.generate(requests);
            long end = System.nanoTime();
            long tokens = 0;
            for (GenerationResult result : results) {
                for (Completion c : result.completions()) {
                    tokens += c.length();
                }
            }
            tokensPerSecond[i] = tokens / ((end - start) / 1e9);
            prefillMs[i] = (prefillEnd[0] - start) / 1e6;
        }
        JsonObject o = new JsonObject();
        o.addProperty("bench", "generate");
        o.addProperty("config", "small");
        o.addProperty("mode", mode);
        o.addProperty("batch", rows);
        o.addProperty("samples_per_prompt", samplesPerPrompt);
        o.addProperty("prompt_tokens", PROMPT_TOKENS);
        o.addProperty("new_tokens", NEW_TOKENS);
        o.addProperty("tokens_per_s_median", round(median(tokensPerSecond)));
        o.addProperty("tokens_per_s_best", round(Arrays.stream(tokensPerSecond).max().orElseThrow()));
        o.addProperty("prefill_ms_median", round(median(prefillMs)));
        o.addProperty("repeats", repeats);
        o.addProperty("device", model.device().toString());
        o.addProperty("allocator", allocator());
        return o.toString();
    }

    /** Which allocator settings the JVM runs under (DJL-NOTES: they change CPU speed a lot). */
    static String allocator() {
        String preload = System.getenv("LD_PRELOAD");
        if (preload != null && preload.contains("tcmalloc")) {
            return "tcmalloc";
        }
        String tunables = System.getenv("GLIBC_TUNABLES");
        return tunables != null && tunables.contains("mmap_max=0") ? "glibc-tuned" : "glibc-default";
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** Runs {@code redstar bench gen} alone. */
    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(new CommandLine(new GenerationBench()).execute(args));
    }
}
