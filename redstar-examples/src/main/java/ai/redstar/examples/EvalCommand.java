package ai.redstar.examples;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.data.eval.EvalReport;
import ai.redstar.data.eval.Evaluator;
import ai.redstar.data.problem.Problem;
import ai.redstar.data.problem.ProblemFormat;
import ai.redstar.data.problem.ProblemReader;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.verify.RuleVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redstar eval}: evaluates a Hugging Face model folder on a benchmark JSONL through {@link Evaluator}
 * (every option maps to one builder setting; an option left out keeps the builder's default) and prints accuracy,
 * pass@k and maj@k by level. With {@code --out} it writes report.json and verdicts.jsonl (one line per response).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model folder on a problems JSONL: accuracy, pass@k and maj@k by level.",
            "With --out, writes report.json and verdicts.jsonl there."})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder (config.json, safetensors, tokenizer files with a chat template).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Problems JSONL.")
    Path data;

    @Option(names = "--format", defaultValue = "generic",
            description = "Field mapping: math (MATH: problem, solution with \\boxed{}, level), gsm8k (question, "
                    + "answer ending in #### N), taco (question, input_output), choice (question, choices, answer "
                    + "letter), generic (id, question, answer, source, level). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N problems.")
    Integer limit;

    @Option(names = {"-k", "--samples"}, description = "Samples per problem, the k of pass@k and maj@k (default 1).")
    Integer samples;

    @Option(names = "--temperature",
            description = "Sampling temperature (default 0, greedy, for one sample; 0.6 for several).")
    Double temperature;

    @Option(names = "--top-p", description = "Nucleus mass (default 0.95).")
    Double topP;

    @Option(names = "--max-new-tokens", description = "Longest response in tokens (default 1024).")
    Integer maxNewTokens;

    @Option(names = "--seed", description = "Sampling seed (default 0).")
    Long seed;

    @Option(names = "--batch-rows", description = "Sequences decoded at once (default 32).")
    Integer batchRows;

    @Option(names = "--greedy", description = "With several samples, also run a greedy pass and report its accuracy.")
    boolean greedy;

    @Option(names = "--prompt", paramLabel = "TEMPLATE",
            description = "The user message, with {question} standing for the question (default: the question and "
                    + "\"Please reason step by step, and put your final answer within \\boxed{}.\").")
    String prompt;

    @Option(names = "--system", description = "A system message put first.")
    String system;

    @Option(names = "--out", paramLabel = "DIR", description = "Where report.json and verdicts.jsonl go.")
    Path out;

    @Option(names = "--device", description = "cpu or gpu (default: the engine's default device).")
    String device;

    PrintStream stdout = System.out;
    PrintStream err = System.err;

    /** Exit status 2 with the message on standard error when an input or option is invalid. */
    @Override
    public Integer call() throws IOException {
        ProblemFormat problemFormat = ProblemFormat.presets().get(format.toLowerCase(Locale.ROOT));
        if (problemFormat == null) {
            err.println("redstar eval: --format must be one of " + new java.util.TreeSet<>(
                    ProblemFormat.presets().keySet()) + ", was " + format);
            return 2;
        }
        if (limit != null && limit < 1) {
            err.println("redstar eval: --limit must be >= 1, was " + limit);
            return 2;
        }
        List<Problem> problems = new ArrayList<>();
        try (ProblemReader reader = ProblemReader.open(data, problemFormat, MalformedLinePolicy.FAIL)) {
            while (reader.hasNext() && (limit == null || problems.size() < limit)) {
                problems.add(reader.next());
            }
        } catch (JsonlException e) {
            err.println("redstar eval: " + e.getMessage());
            return 2;
        }
        if (problems.isEmpty()) {
            err.println("redstar eval: " + data + " holds no problems");
            return 2;
        }
        Device onDevice = device == null ? Engine.getInstance().defaultDevice() : Device.fromName(device);
        try (ChatTokenizer tokenizer = ChatTokenizer.load(model);
                CausalLm lm = CausalLm.load(model, onDevice)) {
            Evaluator evaluator;
            try {
                evaluator = evaluator(lm, tokenizer);
            } catch (IllegalArgumentException invalid) {
                err.println("redstar eval: " + invalid.getMessage());
                return 2;
            }
            Path verdicts = null;
            if (out != null) {
                Files.createDirectories(out);
                verdicts = out.resolve("verdicts.jsonl");
            }
            EvalReport report = evaluator.evaluate(problems, verdicts);
            if (out != null) {
                Files.writeString(out.resolve("report.json"), report.toJson() + "\n", StandardCharsets.UTF_8);
            }
            stdout.printf(Locale.ROOT, "%s on %s (%s)%n", model.getFileName(), data.getFileName(),
                    evaluator.settings());
            stdout.print(report.toTable());
            if (out != null) {
                stdout.println("report.json and verdicts.jsonl in " + out);
            }
        }
        return 0;
    }

    private Evaluator evaluator(CausalLm lm, ChatTokenizer tokenizer) {
        Evaluator.Builder b = Evaluator.builder(lm, tokenizer, RuleVerifier.builder().build());
        if (samples != null) {
            b.samples(samples);
        }
        if (temperature != null) {
            b.temperature(temperature);
        }
        if (topP != null) {
            b.topP(topP);
        }
        if (maxNewTokens != null) {
            b.maxNewTokens(maxNewTokens);
        }
        if (seed != null) {
            b.seed(seed);
        }
        if (batchRows != null) {
            b.batchRows(batchRows);
        }
        if (greedy) {
            b.greedyPass();
        }
        if (prompt != null || system != null) {
            PromptTemplate template = prompt == null ? PromptTemplate.standard() : PromptTemplate.uniform(prompt);
            b.promptTemplate(system == null ? template : template.withSystem(system));
        }
        return b.build();
    }
}
