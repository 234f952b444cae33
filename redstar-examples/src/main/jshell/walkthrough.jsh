// RedStar for Java, the whole API on a toy scale: problems -> rule-based grading -> a tiny model -> generation ->
// long chain-of-thought data from a scripted teacher -> SFT -> evaluation (accuracy, pass@k, maj@k by level).
// Everything is random-sized and tiny (a 2-layer model, a dozen sums), so the numbers mean nothing; the calls are
// the real ones. About half a minute on a laptop CPU. Run from the repository root after building:
//   jshell --class-path "$(ls redstar-examples/target/lib/*.jar | tr '\n' :)" -R-Dai.djl.offline=true \
//          redstar-examples/src/main/jshell/walkthrough.jsh
import ai.djl.Device;
import ai.redstar.core.generate.*;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.model.*;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.*;
import ai.redstar.data.LongCotDataset;
import ai.redstar.data.eval.*;
import ai.redstar.data.problem.*;
import ai.redstar.data.sample.*;
import ai.redstar.data.sample.FinishReason;
import ai.redstar.train.*;
import ai.redstar.verify.*;
import java.nio.file.*;
import java.util.*;
import java.util.regex.Pattern;

var work = Files.createTempDirectory("redstar-walkthrough");
System.out.println("0. Everything goes to " + work);

// 1. Problems: JSONL lines {"id", "question", "answer", "level"}, read through a ProblemFormat into Problems.
var lines = new ArrayList<String>();
for (int i = 0; i < 12; i++) {
    int a = 1 + i % 4, b = 2 + i / 4;
    lines.add(String.format(Locale.ROOT, "{\"id\":\"q%d\",\"question\":\"%d+%d=?\",\"answer\":\"%d\",\"level\":\"%d\"}",
            i, a, b, a + b, a + b < 6 ? 1 : 2));
}
var problemsFile = Files.write(work.resolve("problems.jsonl"), lines);
var problems = new ArrayList<Problem>();
try (var reader = ProblemReader.open(problemsFile, ProblemFormat.generic(), MalformedLinePolicy.FAIL)) {
    reader.forEachRemaining(problems::add);
}
System.out.println("1. Read " + problems.size() + " problems, e.g. " + problems.get(0).question() + " -> "
        + problems.get(0).answer());

// 2. Grading: RuleVerifier extracts the final answer (\boxed{} first) and compares it mathematically.
var verifier = RuleVerifier.builder().build();
var verdict = verifier.verify("<think>3 and 2 make 5</think> The answer is \\boxed{\\frac{10}{2}}.", Gold.math("5"));
System.out.println("2. Graded a response: " + verdict.reason() + ", correct = " + verdict.correct());

// 3. A tiny Qwen2-architecture model with random weights and a character-level tokenizer (a real tokenizer.json).
var modelDir = work.resolve("tiny");
var alphabet = new StringBuilder("\n");
for (char c = ' '; c <= '~'; c++) alphabet.append(c);
TokenizerFiles.writeCharLevel(modelDir, alphabet.toString(), List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"));
var tokenizer = ChatTokenizer.load(modelDir);
var config = ModelConfig.builder(ModelType.QWEN2).vocabSize(tokenizer.vocabularySize()).hiddenSize(64)
        .intermediateSize(128).numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).tieWordEmbeddings(true)
        .maxPositionEmbeddings(1024).eosTokenIds(List.of(tokenizer.tokenToId("<|im_end|>").getAsInt())).build();
var model = CausalLm.randomInit(config, 1, Device.cpu());
System.out.println("3. A random model: " + config.numHiddenLayers() + " layers, vocabulary " + config.vocabSize());

// 4. Generation: chat-encode a prompt and sample two completions (gibberish: the model is untrained).
var prompt = tokenizer.encodeChat(List.of(ChatMessage.user("1+2=?")), true);
var generator = Generator.builder(model).decoder(ids -> tokenizer.decode(ids, true)).build();
var params = SamplingParams.builder(16).temperature(0.8).samplesPerPrompt(2).seed(7).build();
var completions = generator.generate(GenerationRequest.of(prompt.ids(), params)).completions();
System.out.println("4. Untrained samples: " + completions.stream().map(c -> c.text().orElse("")).toList());

// 5. Data: a scripted teacher writes step-by-step traces, wrong on purpose one time in three; LongCotDataset
//    samples 3 traces per problem, filters them, keeps only the ones the verifier accepts, and pairs right with wrong.
var sum = Pattern.compile("(\\d+)\\+(\\d+)");
TraceSampler teacher = TraceSampler.custom("scripted", (messages, n, seed) -> {
    var m = sum.matcher(messages.get(messages.size() - 1).content());
    m.find();
    int a = Integer.parseInt(m.group(1)), b = Integer.parseInt(m.group(2));
    var samples = new ArrayList<Sample>();
    for (int i = 0; i < n; i++) {
        int answer = i % 3 == 2 ? a + b + 1 : a + b;
        samples.add(Sample.of("<think>\nStart at " + a + " and count up " + b + ": the total is " + answer
                + ".\n</think>\n\nThe answer is \\boxed{" + answer + "}.", FinishReason.STOP));
    }
    return samples;
});
var dataset = LongCotDataset.builder(problemsFile, ProblemFormat.generic(), teacher).samplesPerProblem(3)
        .progress(Progress.Mode.OFF).build().run(work.resolve("data"));
System.out.println("5. Dataset: " + dataset.tracesSampled() + " traces sampled, " + dataset.tracesKept()
        + " kept for SFT, " + dataset.pairs() + " preference pairs, in " + work.resolve("data"));

// 6. SFT: fine-tune the tiny model on the kept traces (a few steps; the loss should fall).
var sftData = SftData.fromJsonl(work.resolve("data").resolve(LongCotDataset.SFT), tokenizer);
var sft = SftTrainer.builder(model, sftData).maxSteps(20).learningRate(3e-3).warmupSteps(2).maxLength(256)
        .batchTokens(1024).progress(Progress.Mode.OFF).build().fit();
System.out.println(String.format(Locale.ROOT, "6. SFT: %d steps on %d records, final loss %.3f", sft.steps(),
        sftData.size(), sft.finalLoss()));

// 7. Evaluation: greedy accuracy plus pass@4 and maj@4, overall and by level; per-sample verdicts as JSONL.
var evaluator = Evaluator.builder(model, tokenizer, verifier).samples(4).temperature(0.8).maxNewTokens(32)
        .greedyPass().progress(Progress.Mode.OFF).build();
var report = evaluator.evaluate(problems, work.resolve("verdicts.jsonl"));
System.out.println("7. Evaluation (a toy: expect low numbers):");
System.out.print(report.toTable());

model.close();
tokenizer.close();
/exit
