package ai.redstar.examples;

import ai.djl.engine.Engine;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.data.DatasetReport;
import ai.redstar.data.LongCotDataset;
import ai.redstar.data.SamplerFailure;
import ai.redstar.data.dedup.Decontaminator;
import ai.redstar.data.dedup.MinHash;
import ai.redstar.data.dedup.Shingling;
import ai.redstar.data.difficulty.DifficultyScorer;
import ai.redstar.data.difficulty.DifficultyStrategy;
import ai.redstar.data.difficulty.LevelScale;
import ai.redstar.data.difficulty.Selection;
import ai.redstar.data.filter.FormatFilter;
import ai.redstar.data.filter.LanguageMixFilter;
import ai.redstar.data.filter.LengthFilter;
import ai.redstar.data.filter.RepetitionFilter;
import ai.redstar.data.filter.TokenCounter;
import ai.redstar.data.filter.TraceFilter;
import ai.redstar.data.filter.TruncationFilter;
import ai.redstar.data.pairs.PairingPolicy;
import ai.redstar.data.problem.ProblemFormat;
import ai.redstar.data.sample.LocalSampler;
import ai.redstar.data.sample.OpenAiSampler;
import ai.redstar.data.sample.SamplerException;
import ai.redstar.data.sample.TraceSampler;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code redstar dataset}: builds long chain-of-thought SFT data and preference pairs from a problems file with a
 * teacher (a local model folder, or an OpenAI-compatible server) and the rule-based verifier, and prints the report.
 * Running it again with the same settings and output directory resumes an interrupted run.
 */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = {"Build long chain-of-thought SFT data and preference pairs from problems with a teacher and "
                + "the verifier (resumable: run again to continue).",
            "Writes sft.jsonl, pairs.jsonl, problems.jsonl, journal.jsonl, report.json into the output directory."})
public final class DatasetCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PROBLEMS", description = "Problems JSONL file.")
    Path problems;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--format", defaultValue = "generic",
            description = "Field mapping: math (MATH: problem, solution with \\boxed{}, level), gsm8k (question, "
                    + "answer ending in #### N), taco (question, input_output), choice (question, choices, answer "
                    + "letter), generic (id, question, answer, source, level). Default: ${DEFAULT-VALUE}.")
    String format;

    /** Exactly one teacher. */
    static final class Teacher {
        @Option(names = "--model-dir", paramLabel = "DIR",
                description = "A local Hugging Face model folder (config.json, safetensors, tokenizer).")
        Path modelDir;

        @Option(names = "--base-url", paramLabel = "URL",
                description = "An OpenAI-compatible server, up to the API version, e.g. http://localhost:8000/v1.")
        URI baseUrl;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Teacher teacher;

    @Option(names = "--model", description = "The model name the server serves (with --base-url).")
    String model;

    @Option(names = "--api-key-env", paramLabel = "VAR",
            description = "Environment variable holding the server's API key (with --base-url).")
    String apiKeyEnv;

    @Option(names = "--samples", defaultValue = "4", description = "Traces per problem (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--temperature", defaultValue = "0.7", description = "Sampling temperature (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Nucleus mass (default ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--max-tokens", defaultValue = "16384", description = "Most tokens per trace (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--concurrency", defaultValue = "8",
            description = "Requests in flight at once (server; default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--request-timeout-s", defaultValue = "1800",
            description = "Seconds to wait for one answer (server; default ${DEFAULT-VALUE}).")
    long requestTimeoutSeconds;

    @Option(names = "--retries", defaultValue = "6", description = "Retries of a failed request (server; default ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--difficulty", defaultValue = "none",
            description = "Difficulty: none, or level (the declared level on --level-scale). Default: ${DEFAULT-VALUE}.")
    String difficulty;

    @Option(names = "--level-scale", defaultValue = "math",
            description = "How levels read: math (Level 1-5), ratings (1-10), taco (EASY..VERY_HARD). Default: ${DEFAULT-VALUE}.")
    String levelScale;

    @Option(names = "--min-difficulty", description = "Keep problems at least this difficult, in [0, 1].")
    Double minDifficulty;

    @Option(names = "--max-difficulty", description = "Keep problems at most this difficult, in [0, 1].")
    Double maxDifficulty;

    @Option(names = "--filters", split = ",", defaultValue = "truncated,format,repetition,language",
            description = "Quality filters in order, from truncated, format, repetition, language, length. Default: "
                    + "${DEFAULT-VALUE}.")
    List<String> filters;

    @Option(names = "--min-trace-tokens", defaultValue = "0", description = "Length filter lower bound (default ${DEFAULT-VALUE}).")
    int minTraceTokens;

    @Option(names = "--max-trace-tokens", defaultValue = "32768", description = "Length filter upper bound (default ${DEFAULT-VALUE}).")
    int maxTraceTokens;

    @Option(names = "--near-dedup", description = "Also set aside near-duplicate questions (MinHash of character 5-grams, 16 bands x 8 rows).")
    boolean nearDedup;

    @Option(names = "--no-exact-dedup", description = "Keep exact duplicate questions.")
    boolean noExactDedup;

    @Option(names = "--decontaminate", paramLabel = "BENCH.jsonl",
            description = "Benchmark JSONL files; problems sharing a 13-word sequence with an item are set aside.")
    List<Path> benchmarks;

    @Option(names = "--bench-fields", split = ",", defaultValue = "problem,question",
            description = "Benchmark fields holding item text (default ${DEFAULT-VALUE}).")
    List<String> benchFields;

    @Option(names = "--bench-id-field", defaultValue = "unique_id",
            description = "Benchmark field holding item ids (default ${DEFAULT-VALUE}; absent: file:line).")
    String benchIdField;

    @Option(names = "--pairing", defaultValue = "shortest-longest",
            description = "Preference pairs: shortest-longest, all, per-problem, none. Default: ${DEFAULT-VALUE}.")
    String pairing;

    @Option(names = "--pairs-per-problem", defaultValue = "4",
            description = "Pairs per problem for --pairing per-problem, cap for all (default ${DEFAULT-VALUE}).")
    int pairsPerProblem;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--parallelism", description = "Problems in flight (default: cores, or --concurrency when larger).")
    Integer parallelism;

    @Option(names = "--skip-malformed", description = "Skip malformed problem lines instead of stopping.")
    boolean skipMalformed;

    @Option(names = "--skip-failed-problems", description = "Skip problems the teacher fails (retried on the next run).")
    boolean skipFailed;

    @Option(names = "--keep-rejected", description = "Also write dropped traces with their reasons to rejected.jsonl.")
    boolean keepRejected;

    PrintStream console = System.out;
    PrintStream err = System.err;

    /** Exit status 2 with the message on standard error for invalid input or settings, 3 when the teacher fails. */
    @Override
    public Integer call() {
        CausalLm localModel = null;
        ChatTokenizer tokenizer = null;
        try {
            TraceSampler sampler;
            if (teacher.modelDir != null) {
                tokenizer = ChatTokenizer.load(teacher.modelDir);
                localModel = CausalLm.load(teacher.modelDir, Engine.getInstance().defaultDevice());
                sampler = LocalSampler.builder(tokenizer, localModel, SamplingParams.builder(maxTokens)
                        .temperature(temperature).topP(topP).build()).build();
            } else {
                if (model == null) {
                    throw new IllegalArgumentException("--base-url needs --model (the name the server serves)");
                }
                OpenAiSampler.Builder b = OpenAiSampler.builder(teacher.baseUrl, model).temperature(temperature)
                        .topP(topP).maxTokens(maxTokens).concurrency(concurrency).maxRetries(retries)
                        .requestTimeout(Duration.ofSeconds(requestTimeoutSeconds));
                if (apiKeyEnv != null) {
                    b.apiKeyEnvironmentVariable(apiKeyEnv);
                }
                sampler = b.build();
            }
            LongCotDataset.Builder d = LongCotDataset.builder(problems, format(), sampler).samplesPerProblem(samples)
                    .filters(filters(tokenizer)).pairing(pairing()).seed(seed).exactDedup(!noExactDedup)
                    .keepRejected(keepRejected);
            if (tokenizer != null) {
                d.tokenCounter(TokenCounter.of(tokenizer));
            }
            if (parallelism != null) {
                d.parallelism(parallelism);
            }
            if (skipMalformed) {
                d.malformedLines(MalformedLinePolicy.SKIP);
            }
            if (skipFailed) {
                d.samplerFailure(SamplerFailure.SKIP_PROBLEM);
            }
            if (nearDedup) {
                d.nearDuplicates(MinHash.builder().shingling(Shingling.characters(5)).build());
            }
            if (benchmarks != null && !benchmarks.isEmpty()) {
                Decontaminator.Builder dc = Decontaminator.builder();
                for (Path bench : benchmarks) {
                    String name = bench.getFileName().toString().replaceFirst("\\.jsonl$", "");
                    dc.benchmark(name, bench, benchFields, benchIdField);
                }
                d.decontaminate(dc.build());
            }
            switch (difficulty.toLowerCase(Locale.ROOT)) {
                case "none" -> {
                    if (minDifficulty != null || maxDifficulty != null) {
                        throw new IllegalArgumentException("--min-difficulty/--max-difficulty need --difficulty level");
                    }
                }
                case "level" -> {
                    d.difficulty(DifficultyScorer.builder(DifficultyStrategy.declaredLevel(scale())).build());
                    if (minDifficulty != null || maxDifficulty != null) {
                        d.selection(new Selection.Threshold(minDifficulty == null ? 0 : minDifficulty,
                                maxDifficulty == null ? 1 : maxDifficulty));
                    }
                }
                default -> throw new IllegalArgumentException("--difficulty must be none or level, was " + difficulty);
            }
            DatasetReport report = d.build().run(out);
            console.print(report.toTable());
            console.println("Wrote " + out.resolve(LongCotDataset.SFT) + ", " + out.resolve(LongCotDataset.PAIRS) + " and "
                    + out.resolve(LongCotDataset.REPORT));
            return 0;
        } catch (IllegalArgumentException | JsonlException | IllegalStateException invalid) {
            err.println("redstar dataset: " + invalid.getMessage());
            return 2;
        } catch (SamplerException failed) {
            err.println("redstar dataset: the teacher failed: " + failed.getMessage()
                    + "\nEverything finished so far is saved; run the same command again to continue.");
            return 3;
        } finally {
            if (localModel != null) {
                localModel.close();
            }
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
    }

    private ProblemFormat format() {
        ProblemFormat f = ProblemFormat.presets().get(format.toLowerCase(Locale.ROOT));
        if (f == null) {
            throw new IllegalArgumentException("--format must be one of " + new java.util.TreeSet<>(
                    ProblemFormat.presets().keySet()) + ", was " + format);
        }
        return f;
    }

    private LevelScale scale() {
        return switch (levelScale.toLowerCase(Locale.ROOT)) {
            case "math" -> LevelScale.math();
            case "ratings" -> LevelScale.ratings();
            case "taco" -> LevelScale.taco();
            default -> throw new IllegalArgumentException("--level-scale must be math, ratings or taco, was "
                    + levelScale);
        };
    }

    private List<TraceFilter> filters(ChatTokenizer tokenizer) {
        Map<String, TraceFilter> known = Map.of("truncated", TruncationFilter.standard(), "format",
                FormatFilter.standard(), "repetition", RepetitionFilter.standard(), "language",
                LanguageMixFilter.standard(), "length", LengthFilter.between(minTraceTokens, maxTraceTokens));
        List<TraceFilter> out = new ArrayList<>();
        for (String name : filters) {
            String key = name.strip().toLowerCase(Locale.ROOT);
            if (key.isEmpty() || key.equals("none")) {
                continue;
            }
            TraceFilter f = known.get(key);
            if (f == null) {
                throw new IllegalArgumentException("unknown filter '" + name + "'; choose from " + new java.util.TreeSet<>(
                        known.keySet()));
            }
            out.add(f);
        }
        return out;
    }

    private PairingPolicy pairing() {
        return switch (pairing.toLowerCase(Locale.ROOT)) {
            case "shortest-longest" -> new PairingPolicy.ShortestRightLongestWrong();
            case "all" -> new PairingPolicy.AllPairs(pairsPerProblem);
            case "per-problem" -> new PairingPolicy.PerProblem(pairsPerProblem, seed);
            case "none" -> new PairingPolicy.NoPairs();
            default -> throw new IllegalArgumentException("--pairing must be shortest-longest, all, per-problem or "
                    + "none, was " + pairing);
        };
    }
}
