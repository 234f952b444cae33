package ai.redstar.examples.bench;

import static ai.redstar.examples.bench.BenchFigures.median;
import static ai.redstar.examples.bench.BenchFigures.print;
import static ai.redstar.examples.bench.BenchFigures.round;

import ai.djl.Device;
import ai.redstar.core.generate.Completion;
import ai.redstar.core.generate.GenerationRequest;
import ai.redstar.core.generate.GenerationResult;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.model.CausalLm;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar bench gen}: generation throughput of {@link Generator} with a KV cache on the "small" configuration
 * of {@link CoreBench} (hidden 512, 8 layers, 8 heads over 2 KV heads, intermediate 1408, vocabulary 8192, tied head,
 * Qwen2 biases) with random weights: prompts of 32 random tokens, 128 new tokens per row (no stop token, so every row
 * runs the full length), prefill included in the time.
 *
 * <p>Figures, one JSON line each ({@code figure: generate_tokens_per_s}): greedy at batch 8 and at batch 32; and at
 * batch 8 made of 2 prompts x 4 samples (each prompt prefilled once), plain sampling at temperature 1 (RL rollouts)
 * and nucleus sampling (temperature 0.8, top-p 0.95). Random weights give nearly flat next-token distributions, so
 * the nucleus figure is the worst case of top-p (about 90% of the vocabulary kept, hence sorted every step); a
 * trained model's peaked distributions need only the first 256 candidates sorted. Each
 * line gives the median and best of {@code --repeats} timed runs after one warm-up, generated tokens per second
 * ({@code rows x 128 / seconds}), and the median prefill time. Start the JVM with
 * {@code GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=1
 * THP_MEM_ALLOC_ENABLE=1}, as the launcher does; every line names the allocator that ran.
 */
@Command(name = "gen", mixinStandardHelpOptions = true,
        description = "Generator throughput with a KV cache on the small config (one JSON line per figure).")
public final class GenerationBench implements Callable<Integer> {
    static final int PROMPT_TOKENS = 32;
    static final int NEW_TOKENS = 128;

    @Option(names = "--repeats", defaultValue = "5",
            description = "Timed runs per figure, after one warm-up (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--threads", defaultValue = "0",
            description = "PyTorch intra-op threads; 0 keeps the engine's default (one per core) (default ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats is " + repeats + "; it must be >= 1");
        }
        if (threads > 0) {
            // read by DJL's PyTorch engine when it loads, which has not happened yet in this JVM
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        try (CausalLm model = CausalLm.randomInit(CoreBench.smallConfig(), 1, Device.cpu())) {
            SamplingParams greedy = SamplingParams.builder(NEW_TOKENS).temperature(0).stopTokenIds().build();
            print(figure(model, "greedy", 8, 1, greedy));
            print(figure(model, "greedy", 32, 1, greedy));
            SamplingParams rollout = SamplingParams.builder(NEW_TOKENS).temperature(1.0).stopTokenIds()
                    .samplesPerPrompt(4).seed(1).build();
            print(figure(model, "sampled_t1", 8, 4, rollout));
            SamplingParams nucleus = SamplingParams.builder(NEW_TOKENS).temperature(0.8).topP(0.95).stopTokenIds()
                    .samplesPerPrompt(4).seed(1).build();
            print(figure(model, "sampled_top_p", 8, 4, nucleus));
        }
        return 0;
    }

    private JsonObject figure(CausalLm model, String mode, int rows, int samplesPerPrompt, SamplingParams params) {
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
        Arrays.sort(tokensPerSecond);
        Arrays.sort(prefillMs);
        JsonObject o = new JsonObject();
        o.addProperty("figure", "generate_tokens_per_s");
        o.addProperty("config", "small");
        o.addProperty("mode", mode);
        o.addProperty("batch", rows);
        o.addProperty("samples_per_prompt", samplesPerPrompt);
        o.addProperty("prompt_tokens", PROMPT_TOKENS);
        o.addProperty("new_tokens", NEW_TOKENS);
        o.addProperty("median", round(median(tokensPerSecond)));
        o.addProperty("best", round(tokensPerSecond[repeats - 1]));
        o.addProperty("prefill_ms_median", round(median(prefillMs)));
        o.addProperty("repeats", repeats);
        o.addProperty("device", model.device().toString());
        return o;
    }

}
