package ai.redstar.examples;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.train.AssistantLoss;
import ai.redstar.train.Batching;
import ai.redstar.train.ModelSaver;
import ai.redstar.train.context.ContextExtension;
import ai.redstar.train.lora.LoraAdapters;
import ai.redstar.train.lora.LoraConfig;
import ai.redstar.train.lora.LoraTarget;
import ai.redstar.train.SftData;
import ai.redstar.train.SftResult;
import ai.redstar.train.SftTrainer;
import ai.redstar.train.TruncationPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar sft}: supervised fine-tuning of a Hugging Face model folder on a TRL-style JSONL file, through
 * {@link SftTrainer} (every option maps to one builder setting; an option left out keeps the builder's default).
 * Checkpoints go to {@code --output}/checkpoint-STEP, each a loadable model folder with the tokenizer files copied
 * from {@code --model}; {@code --resume} continues from the newest one.
 */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = "Fine-tune a model folder on chat JSONL ({\"messages\": [...]} or {\"prompt\", \"completion\"}).")
public final class SftCommand implements Callable<Integer> {
    /** Files of a model folder that a checkpoint needs besides weights and config.json. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "chat_template.jinja", "generation_config.json", "vocab.json", "merges.txt",
            "added_tokens.json", "tokenizer.model");

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder (config.json, safetensors, tokenizer files).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Training JSONL.")
    Path data;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Where checkpoints and metrics.jsonl go.")
    Path output;

    @Option(names = "--eval-data", paramLabel = "FILE", description = "Held-out JSONL, evaluated every --eval-every steps.")
    Path evalData;

    @Option(names = "--eval-every", paramLabel = "STEPS", description = "Steps between held-out evaluations.")
    Long evalEvery;

    @Option(names = "--max-length", description = "Longest record in tokens and packed row length (default 1024).")
    Integer maxLength;

    @Option(names = "--truncation", description = "Longer records: ${COMPLETION-CANDIDATES} (default TRUNCATE).")
    TruncationPolicy truncation;

    @Option(names = "--batching", description = "${COMPLETION-CANDIDATES} (default PACKED).")
    Batching batching;

    @Option(names = "--batch-tokens", description = "Tokens per micro-batch, padding included (default 8 x max length).")
    Integer batchTokens;

    @Option(names = "--grad-accum", description = "Micro-batches per optimiser step (default 1).")
    Integer gradientAccumulation;

    @ArgGroup(exclusive = true)
    Budget budget;

    /** Epochs or steps, not both. */
    static final class Budget {
        @Option(names = "--epochs", required = true, description = "Passes over the data (default 3).")
        Integer epochs;

        @Option(names = "--max-steps", required = true, description = "Optimiser steps instead of epochs.")
        Long maxSteps;
    }

    @Option(names = "--lr", description = "Peak learning rate (default 2e-5).")
    Double learningRate;

    @Option(names = "--min-lr", description = "Learning rate at the end of the cosine decay (default 0).")
    Double minLearningRate;

    @Option(names = "--warmup", paramLabel = "STEPS", description = "Linear warmup steps (default 3%% of the steps).")
    Long warmupSteps;

    @Option(names = "--weight-decay", description = "Decoupled weight decay, not on norms and biases (default 0).")
    Double weightDecay;

    @Option(names = "--clip", description = "Global gradient norm clipped to; Infinity never clips (default 1.0).")
    Double maxGradientNorm;

    @Option(names = "--save-every", paramLabel = "STEPS", description = "Steps between checkpoints (default 500).")
    Long saveEvery;

    @Option(names = "--keep", description = "Checkpoints kept, the newest (default 2).")
    Integer keep;

    @Option(names = "--seed", description = "Seed of data order and dropout (default 42).")
    Long seed;

    @Option(names = "--assistant-loss", description = "${COMPLETION-CANDIDATES} (default ALL_TURNS).")
    AssistantLoss assistantLoss;

    @Option(names = "--skip-malformed", description = "Skip and count invalid lines instead of failing.")
    boolean skipMalformed;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --output.")
    boolean resume;

    @Option(names = "--device", description = "cpu or gpu (default: the engine's default device).")
    String device;

    @Option(names = "--context-factor", paramLabel = "F",
            description = "Position Interpolation: extend the context by F (linear rope scaling) before training.")
    Double contextFactor;

    @Option(names = "--lora", description = "Train LoRA adapters on a frozen base; checkpoints hold PEFT adapters.")
    boolean lora;

    @Option(names = "--lora-rank", defaultValue = "8", description = "LoRA rank r (default ${DEFAULT-VALUE}).")
    int loraRank;

    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA alpha (default ${DEFAULT-VALUE}).")
    double loraAlpha;

    @Option(names = "--lora-dropout", defaultValue = "0.05", description = "LoRA dropout (default ${DEFAULT-VALUE}).")
    double loraDropout;

    @Option(names = "--lora-targets", split = ",", defaultValue = "Q,V",
            description = "Adapted projections from ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Set<LoraTarget> loraTargets;

    @Option(names = "--lora-merged", paramLabel = "DIR",
            description = "After training, also write the base with the adapters merged in as a model folder.")
    Path loraMerged;

    PrintStream out = System.out;
    PrintStream err = System.err;

    /** Exit status 2 with the message on standard error when an input or option is invalid. */
    @Override
    public Integer call() {
        Optional<Path> checkpoint = Optional.empty();
        if (resume) {
            checkpoint = SftTrainer.latestCheckpoint(output);
            if (checkpoint.isEmpty()) {
                err.println("redstar sft: --resume: " + output + " holds no checkpoint");
                return 2;
            }
        }
        Device onDevice = device == null ? Engine.getInstance().defaultDevice() : Device.fromName(device);
        CausalLm loaded = CausalLm.load(model, onDevice);
        if (contextFactor != null) {
            loaded = ContextExtension.extend(loaded, contextFactor);
        }
        try (CausalLm lm = loaded;
                ChatTokenizer tokenizer = ChatTokenizer.load(model);
                LoraAdapters adapters = lora ? LoraAdapters.attach(lm, loraConfig()) : null) {
            MalformedLinePolicy policy = skipMalformed ? MalformedLinePolicy.SKIP : MalformedLinePolicy.FAIL;
            SftData train = dataOf(data, tokenizer, policy);
            SftTrainer.Builder b = SftTrainer.builder(lm, train).outputDir(output);
            if (adapters == null) {
                b.checkpointSaver(saver(lm, model));
            } else {
                b.trainableParameters(adapters.parameters())
                        .trainingMode(adapters::training)
                        .checkpointSaver(loraSaver(adapters, model));
            }
            if (evalData != null) {
                b.evalData(dataOf(evalData, tokenizer, policy));
            }
            if (evalEvery != null) {
                b.evalEvery(evalEvery);
            }
            if (maxLength != null) {
                b.maxLength(maxLength);
            }
            if (truncation != null) {
                b.truncation(truncation);
            }
            if (batching != null) {
                b.batching(batching);
            }
            if (batchTokens != null) {
                b.batchTokens(batchTokens);
            }
            if (gradientAccumulation != null) {
                b.gradientAccumulation(gradientAccumulation);
            }
            if (budget != null && budget.epochs != null) {
                b.epochs(budget.epochs);
            }
            if (budget != null && budget.maxSteps != null) {
                b.maxSteps(budget.maxSteps);
            }
            if (learningRate != null) {
                b.learningRate(learningRate);
            }
            if (minLearningRate != null) {
                b.minLearningRate(minLearningRate);
            }
            if (warmupSteps != null) {
                b.warmupSteps(warmupSteps);
            }
            if (weightDecay != null) {
                b.weightDecay(weightDecay);
            }
            if (maxGradientNorm != null) {
                b.maxGradientNorm(maxGradientNorm);
            }
            if (saveEvery != null) {
                b.saveEvery(saveEvery);
            }
            if (keep != null) {
                b.keepCheckpoints(keep);
            }
            if (seed != null) {
                b.seed(seed);
            }
            checkpoint.ifPresent(b::resumeFrom);
            SftTrainer trainer;
            try {
                trainer = b.build();
            } catch (IllegalArgumentException e) {
                err.println("redstar sft: " + e.getMessage());
                return 2;
            }
            SftResult result = trainer.fit();
            out.printf(Locale.ROOT, "trained %d steps on %d tokens (%d learned) in %.1f s; final loss %.4f;"
                            + " %d records truncated, %d dropped%n", result.steps(), result.tokens(),
                    result.lossTokens(), result.elapsed().toMillis() / 1000.0, result.finalLoss(),
                    result.truncatedRecords(), result.droppedRecords());
            result.lastCheckpoint().ifPresent(p -> out.println("checkpoint: " + p));
            if (adapters != null && loraMerged != null) {
                adapters.saveMerged(loraMerged);
                copyTokenizerFiles(model, loraMerged);
                out.println("merged model: " + loraMerged);
            }
            return 0;
        }
    }

    private SftData dataOf(Path file, ChatTokenizer tokenizer, MalformedLinePolicy policy) {
        SftData.Builder b = SftData.builder(file, tokenizer).malformedLines(policy);
        if (assistantLoss != null) {
            b.assistantLoss(assistantLoss);
        }
        return b.build();
    }

    private LoraConfig loraConfig() {
        return LoraConfig.builder()
                .rank(loraRank)
                .alpha(loraAlpha)
                .dropout(loraDropout)
                .targets(EnumSet.copyOf(loraTargets))
                .seed(seed == null ? 42 : seed)
                .baseModel(model.toString())
                .build();
    }

    /** The full model in float32 plus the tokenizer files of the source folder, so a checkpoint is a model folder. */
    static ModelSaver saver(CausalLm lm, Path source) {
        return folder -> {
            lm.save(folder, TensorDtype.F32);
            copyTokenizerFiles(source, folder);
        };
    }

    /**
     * PEFT adapters ({@code adapter_config.json}, {@code adapter_model.safetensors}) plus the tokenizer files and the
     * dropout stream position, which {@code restore} seeks back to so that a resumed run draws the same masks.
     */
    static ModelSaver loraSaver(LoraAdapters adapters, Path source) {
        return new ModelSaver() {
            @Override
            public void save(Path folder) {
                adapters.savePeft(folder);
                copyTokenizerFiles(source, folder);
                writeText(folder.resolve(LORA_STATE), Long.toString(adapters.dropoutDraws()));
            }

            @Override
            public void restore(Path folder) {
                Path file = folder.resolve(LORA_STATE);
                try {
                    adapters.seekDropout(Long.parseLong(Files.readString(file).strip()));
                } catch (IOException | NumberFormatException e) {
                    throw new IllegalArgumentException("checkpoint " + folder + ": cannot read the LoRA dropout"
                            + " position from " + file + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /** Name of the file holding the LoRA dropout stream position in a checkpoint. */
    static final String LORA_STATE = "lora_dropout_draws.txt";

    private static void writeText(Path file, String text) {
        try {
            Files.writeString(file, text + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static void copyTokenizerFiles(Path source, Path folder) {
        for (String name : TOKENIZER_FILES) {
            Path file = source.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    Files.createDirectories(folder);
                    Files.copy(file, folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot copy " + file + " into " + folder + ": " + e, e);
                }
            }
        }
    }
}
