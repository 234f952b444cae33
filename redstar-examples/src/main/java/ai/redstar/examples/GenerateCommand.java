package ai.redstar.examples;

import ai.djl.Device;
import ai.redstar.core.checkpoint.GenerationConfig;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.generate.Completion;
import ai.redstar.core.generate.GenerationRequest;
import ai.redstar.core.generate.GenerationResult;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar generate}: samples completions from a Hugging Face model folder. With {@code --init-tiny} it first
 * creates a tiny randomly initialised Qwen2-architecture model with a character-level tokenizer in that folder (when
 * the folder holds no model yet), so the command works on a fresh machine without downloading anything.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a Hugging Face model folder (Qwen2/Llama).")
final class GenerateCommand implements Callable<Integer> {
    /** The alphabet of the tiny model's character-level tokenizer: printable ASCII and a newline. */
    static final String TINY_ALPHABET;

    static {
        StringBuilder sb = new StringBuilder("\n");
        for (char c = ' '; c <= '~'; c++) {
            sb.append(c);
        }
        TINY_ALPHABET = sb.toString();
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model folder: config.json, model.safetensors (or shards), tokenizer.json.")
    Path model;

    @Option(names = "--init-tiny",
            description = "Create a tiny random Qwen2 model with a character tokenizer in --model if it has none.")
    boolean initTiny;

    @Option(names = "--prompt", required = true, description = "The prompt text.")
    String prompt;

    @Option(names = "--chat", description = "Wrap the prompt as a user message in the model's chat template.")
    boolean chat;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0.8",
            description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 keeps all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = {"-n", "--samples"}, defaultValue = "1", description = "Completions per prompt (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", description = "Stop string (repeatable).")
    List<String> stop = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (initTiny && !Files.exists(model.resolve("config.json"))) {
            createTinyModel(model, seed);
            out.printf(Locale.ROOT, "created a tiny random Qwen2 model in %s%n", model);
        }
        try (ChatTokenizer tokenizer = ChatTokenizer.load(model);
                CausalLm lm = CausalLm.load(model, Device.cpu())) {
            String text = chat
                    ? tokenizer.applyChatTemplate(List.of(new ChatMessage(ChatMessage.Role.USER, prompt)), true)
                    : prompt;
            SamplingParams.Builder params = SamplingParams.builder(maxNewTokens)
                    .temperature(temperature)
                    .topP(topP)
                    .samplesPerPrompt(samples)
                    .seed(seed);
            if (topK > 0) {
                params.topK(topK);
            }
            if (!stop.isEmpty()) {
                params.stopStrings(stop);
            }
            List<Integer> stopIds = new ArrayList<>(lm.config().eosTokenIds());
            tokenizer.endOfTurnTokenIds().forEach(stopIds::add);
            if (!stopIds.isEmpty()) {
                params.stopTokenIds(stopIds);
            }
            Generator generator = Generator.builder(lm)
                    .decoder(ids -> tokenizer.decode(ids, true))
                    .build();
            long start = System.nanoTime();
            GenerationResult result = generator.generate(GenerationRequest.of(tokenizer.encode(text), params.build()));
            double seconds = (System.nanoTime() - start) / 1e9;
            int tokens = 0;
            for (Completion c : result.completions()) {
                tokens += c.length();
                out.printf(Locale.ROOT, "--- sample %d (%d tokens, %s, mean log-prob %.3f)%n", c.sampleIndex(),
                        c.length(), c.finishReason(), c.length() == 0 ? 0.0 : c.sumLogProb() / c.length());
                out.println(prompt + c.text().orElseGet(() -> tokenizer.decode(c.tokenIds(), true)));
            }
            out.printf(Locale.ROOT, "--- %d tokens in %.2f s (%.1f tokens/s)%n", tokens, seconds, tokens / seconds);
        }
        return 0;
    }

    /**
     * Writes a tiny Qwen2-architecture model (hidden 64, 2 layers, 4 heads, 2 KV heads) with random weights and a
     * character-level ChatML tokenizer into {@code folder}.
     */
    static void createTinyModel(Path folder, long seed) {
        List<String> specials = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
        TokenizerFiles.writeCharLevel(folder, TINY_ALPHABET, specials);
        int vocab;
        int eos;
        try (ChatTokenizer tokenizer = ChatTokenizer.load(folder)) {
            vocab = tokenizer.vocabularySize();
            eos = tokenizer.tokenToId("<|im_end|>").orElseThrow();
        }
        ModelConfig config = ModelConfig.builder(ModelType.QWEN2)
                .vocabSize(vocab)
                .hiddenSize(64)
                .intermediateSize(176)
                .numHiddenLayers(2)
                .numAttentionHeads(4)
                .numKeyValueHeads(2)
                .maxPositionEmbeddings(2048)
                .tieWordEmbeddings(true)
                .eosTokenIds(List.of(eos))
                .build();
        try (CausalLm lm = CausalLm.randomInit(config, seed, Device.cpu())) {
            lm.save(folder, TensorDtype.F32);
        }
        new GenerationConfig(null, List.of(eos), null, 0.8, 1.0, null, 64, true, null).write(folder);
    }
}
