package ai.redstar.examples.mini;

import ai.djl.Device;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.generate.Completion;
import ai.redstar.core.generate.GenerationRequest;
import ai.redstar.core.generate.GenerationResult;
import ai.redstar.core.generate.Generator;
import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.data.DatasetReport;
import ai.redstar.data.LongCotDataset;
import ai.redstar.data.problem.ProblemFormat;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.rl.ReinforcePlusPlus;
import ai.redstar.rl.RlStepMetrics;
import ai.redstar.rl.RlTrainer;
import ai.redstar.rl.loss.Variance;
import ai.redstar.rl.reward.RewardFunction;
import ai.redstar.rl.rollout.Prompt;
import ai.redstar.train.SftData;
import ai.redstar.train.SftResult;
import ai.redstar.train.SftTrainer;
import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The feasibility study behind the miniature's settings (not part of the library's API): builds an SFT set with the
 * {@link AdditionTeacher} through {@code LongCotDataset}, trains a tiny Qwen2 from scratch on nested subsets of it,
 * evaluates each on held-out problems by level (greedy, verified by {@code RuleVerifier}), then runs a short
 * REINFORCE++ on the largest model and evaluates again. Prints one JSON line per measurement on stdout.
 *
 * <p>Run: {@code java -cp ... ai.redstar.examples.mini.Feasibility [key=value ...]} with keys (defaults in
 * {@link #DEFAULTS}): {@code seed, hidden, layers, heads, kv, inter, train, test, samples, fractions, epochs, lr,
 * batch, levels, rlSteps, rlPrompts, rlSamples, rlLr, out}.
 */
public final class Feasibility {
    static final Map<String, String> DEFAULTS = Map.ofEntries(Map.entry("seed", "1"), Map.entry("hidden", "64"),
            Map.entry("layers", "2"), Map.entry("heads", "4"), Map.entry("kv", "2"), Map.entry("inter", "176"),
            Map.entry("train", "1500"), Map.entry("test", "50"), Map.entry("samples", "2"),
            Map.entry("fractions", "0.25,1"), Map.entry("epochs", "2"), Map.entry("lr", "3e-3"),
            Map.entry("batch", "1024"), Map.entry("levels", "1-2"), Map.entry("rlSteps", "0"),
            Map.entry("rlPrompts", "8"), Map.entry("rlSamples", "4"), Map.entry("rlLr", "1e-4"),
            Map.entry("out", "/tmp/redstar-mini"));

    private Feasibility() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> s = new LinkedHashMap<>(DEFAULTS);
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0 || !DEFAULTS.containsKey(a.substring(0, eq))) {
                throw new IllegalArgumentException("argument '" + a + "' is not key=value with a key of " + DEFAULTS.keySet());
            }
            s.put(a.substring(0, eq), a.substring(eq + 1));
        }
        long seed = Long.parseLong(s.get("seed"));
        String[] lv = s.get("levels").split("-");
        int minLevel = Integer.parseInt(lv[0]);
        int maxLevel = Integer.parseInt(lv[1]);
        int trainPerLevel = Integer.parseInt(s.get("train"));
        int testPerLevel = Integer.parseInt(s.get("test"));
        Path out = Path.of(s.get("out"), "seed-" + seed);
        deleteTree(out);
        Files.createDirectories(out);
        System.out.println("{\"settings\": \"" + s + "\"}");

        long t0 = System.nanoTime();
        Path tokFolder = TaskTokenizer.write(out.resolve("tokenizer"));
        List<MiniProblem> all = AdditionTask.builder().seed(seed).levels(minLevel, maxLevel).build()
                .generate(trainPerLevel + testPerLevel);
        List<MiniProblem> train = new ArrayList<>();
        List<MiniProblem> test = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            (i % (trainPerLevel + testPerLevel) < testPerLevel ? test : train).add(all.get(i));
        }
        // interleave levels so that every prefix of the SFT set covers all levels
        List<MiniProblem> interleaved = new ArrayList<>();
        int levels = maxLevel - minLevel + 1;
        for (int i = 0; i < trainPerLevel; i++) {
            for (int l = 0; l < levels; l++) {
                interleaved.add(train.get(l * trainPerLevel + i));
            }
        }
        Path problems = AdditionTask.writeJsonl(interleaved, out.resolve("train-problems.jsonl"));
        AdditionTask.writeJsonl(test, out.resolve("test-problems.jsonl"));
        AdditionTeacher teacher = AdditionTeacher.standard();
        DatasetReport report = LongCotDataset.builder(problems, ProblemFormat.generic(), teacher.sampler())
                .samplesPerProblem(Integer.parseInt(s.get("samples"))).seed(seed).progress(Progress.Mode.OFF)
                .build().run(out.resolve("dataset"));
        List<String> sft = Files.readAllLines(out.resolve("dataset").resolve(LongCotDataset.SFT));
        System.out.printf(Locale.ROOT, "{\"stage\": \"dataset\", \"problems\": %d, \"sampled\": %d, \"kept\": %d,"
                + " \"pairs\": %d, \"seconds\": %.1f}%n", report.problemsDone(), report.tracesSampled(),
                report.tracesKept(), report.pairs(), secs(t0));

        RuleVerifier verifier = RuleVerifier.builder().build();
        try (ChatTokenizer tok = ChatTokenizer.load(tokFolder)) {
            int imEnd = tok.tokenToId("<|im_end|>").orElseThrow();
            ModelConfig config = ModelConfig.builder(ModelType.QWEN2).vocabSize(tok.vocabularySize())
                    .hiddenSize(Integer.parseInt(s.get("hidden"))).intermediateSize(Integer.parseInt(s.get("inter")))
                    .numHiddenLayers(Integer.parseInt(s.get("layers")))
                    .numAttentionHeads(Integer.parseInt(s.get("heads")))
                    .numKeyValueHeads(Integer.parseInt(s.get("kv"))).maxPositionEmbeddings(512)
                    .tieWordEmbeddings(true).eosTokenIds(List.of(imEnd)).build();
            List<int[]> testPrompts = new ArrayList<>();
            for (MiniProblem p : test) {
                testPrompts.add(tok.encode(tok.applyChatTemplate(PromptTemplate.standard().messages(p.toProblem(1)),
                        true)));
            }
            CausalLm best = null;
            for (String f : s.get("fractions").split(",")) {
                double fraction = Double.parseDouble(f);
                // nested subsets: the first problems of the interleaved input (records are in input order)
                int records = (int) Math.round(sft.size() * fraction);
                Path file = out.resolve("sft-" + f + ".jsonl");
                Files.write(file, sft.subList(0, records), StandardCharsets.UTF_8);
                long t1 = System.nanoTime();
                CausalLm lm = CausalLm.randomInit(config, seed, Device.cpu());
                SftResult r = SftTrainer.builder(lm, SftData.builder(file, tok).build()).maxLength(256)
                        .batchTokens(Integer.parseInt(s.get("batch"))).epochs(Integer.parseInt(s.get("epochs")))
                        .learningRate(Double.parseDouble(s.get("lr")))
                        .minLearningRate(Double.parseDouble(s.get("lr")) / 10).seed(seed).progress(Progress.Mode.OFF)
                        .build().fit();
                double trainSecs = secs(t1);
                long t2 = System.nanoTime();
                double[] acc = evaluate(lm, tok, imEnd, test, testPrompts, verifier, minLevel, maxLevel);
                System.out.printf(Locale.ROOT, "{\"stage\": \"sft\", \"fraction\": %s, \"records\": %d, \"steps\": %d,"
                                + " \"tokens\": %d, \"loss\": %.4f, \"train_s\": %.1f, \"eval_s\": %.1f,"
                                + " \"accuracy\": %.3f, \"by_level\": %s}%n", f, records, r.steps(), r.tokens(),
                        r.finalLoss(), trainSecs, secs(t2), acc[0], levelsJson(acc, minLevel));
                if (best != null) {
                    best.close();
                }
                best = lm;
            }
            int rlSteps = Integer.parseInt(s.get("rlSteps"));
            if (rlSteps > 0 && best != null) {
                List<Prompt> prompts = new ArrayList<>();
                for (MiniProblem p : interleaved) {
                    prompts.add(new Prompt(tok.encode(tok.applyChatTemplate(
                            PromptTemplate.standard().messages(p.toProblem(1)), true)), Gold.math(p.answer())));
                }
                long t3 = System.nanoTime();
                List<RlStepMetrics> m = RlTrainer.builder(best, prompts).decoder(ids -> tok.decode(ids, true))
                        .reward(RewardFunction.correctness(verifier))
                        .strategy(new ReinforcePlusPlus(0.2, 0, 1.0, 10, Variance.POPULATION, true))
                        .steps(rlSteps).promptsPerStep(Integer.parseInt(s.get("rlPrompts")))
                        .samplesPerPrompt(Integer.parseInt(s.get("rlSamples"))).maxNewTokens(40 + 16 * (maxLevel + 1))
                        .learningRate(Double.parseDouble(s.get("rlLr"))).stopTokenIds(imEnd).seed(seed).build().fit();
                double rlSecs = secs(t3);
                StringBuilder rewards = new StringBuilder();
                for (RlStepMetrics x : m) {
                    rewards.append(rewards.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f",
                            x.rewardMean()));
                }
                long t4 = System.nanoTime();
                double[] acc = evaluate(best, tok, imEnd, test, testPrompts, verifier, minLevel, maxLevel);
                System.out.printf(Locale.ROOT, "{\"stage\": \"rl\", \"steps\": %d, \"rl_s\": %.1f, \"eval_s\": %.1f,"
                        + " \"rewards\": [%s], \"accuracy\": %.3f, \"by_level\": %s}%n", rlSteps, rlSecs, secs(t4),
                        rewards, acc[0], levelsJson(acc, minLevel));
            }
            if (best != null) {
                best.save(out.resolve("model"), TensorDtype.F32);
                best.close();
            }
        }
        System.out.printf(Locale.ROOT, "{\"stage\": \"total\", \"seconds\": %.1f}%n", secs(t0));
    }

    /** Greedy accuracy: [overall, level minLevel, ..., level maxLevel]. */
    static double[] evaluate(CausalLm lm, ChatTokenizer tok, int imEnd, List<MiniProblem> test, List<int[]> prompts,
            RuleVerifier verifier, int minLevel, int maxLevel) {
        Generator generator = Generator.builder(lm).decoder(ids -> tok.decode(ids, true)).maxBatchRows(64).build();
        SamplingParams params = SamplingParams.builder(40 + 16 * (maxLevel + 1)).temperature(0).stopTokenIds(imEnd)
                .build();
        List<GenerationRequest> requests = new ArrayList<>();
        for (int[] p : prompts) {
            requests.add(GenerationRequest.of(p, params));
        }
        List<GenerationResult> results = generator.generate(requests);
        double[] right = new double[maxLevel - minLevel + 2];
        double[] count = new double[right.length];
        for (int i = 0; i < test.size(); i++) {
            Completion c = results.get(i).first();
            String text = c.text().orElseGet(() -> tok.decode(c.tokenIds(), true));
            boolean ok = verifier.verify(text, Gold.math(test.get(i).answer())).correct();
            if (Boolean.getBoolean("mini.show") && i % 50 == 0) {
                System.out.println("# " + test.get(i) + " -> " + ok + "\n" + text);
            }
            int l = test.get(i).level() - minLevel + 1;
            count[0]++;
            count[l]++;
            right[0] += ok ? 1 : 0;
            right[l] += ok ? 1 : 0;
        }
        for (int i = 0; i < right.length; i++) {
            right[i] = count[i] == 0 ? 0 : right[i] / count[i];
        }
        return right;
    }

    private static String levelsJson(double[] acc, int minLevel) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 1; i < acc.length; i++) {
            sb.append(i == 1 ? "" : ", ").append(String.format(Locale.ROOT, "\"%d\": %.3f", minLevel + i - 1, acc[i]));
        }
        return sb.append('}').toString();
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
