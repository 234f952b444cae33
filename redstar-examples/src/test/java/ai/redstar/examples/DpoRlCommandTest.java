package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.redstar.core.checkpoint.TensorDtype;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.TokenizerFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DpoRlCommandTest {
    @TempDir
    Path dir;

    private Path model() throws IOException {
        Path model = dir.resolve("model");
        TokenizerFiles.writeCharLevel(model, "abcdefghij0123456789 +=?", List.of());
        int vocab;
        try (ChatTokenizer tokenizer = ChatTokenizer.load(model)) {
            vocab = tokenizer.vocabularySize();
        }
        try (CausalLm lm = CausalLm.randomInit(ModelConfig.builder(ModelType.QWEN2).vocabSize(vocab).hiddenSize(32)
                .intermediateSize(64).numHiddenLayers(1).numAttentionHeads(4).numKeyValueHeads(2)
                .tieWordEmbeddings(true).build(), 1, Device.cpu())) {
            lm.save(model, TensorDtype.F32);
        }
        return model;
    }

    @Test
    void dpo_trainsAndSavesLoadableModel() throws IOException {
        Path model = model();
        Path data = dir.resolve("pairs.jsonl");
        Files.writeString(data, "{\"prompt\": \"1+1=?\", \"chosen\": \"2\", \"rejected\": \"3\"}\n"
                + "{\"prompt\": \"2+2=?\", \"chosen\": \"4\", \"rejected\": \"5\"}\n");
        DpoCommand command = new DpoCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = new CommandLine(command).execute("--model", model.toString(), "--data", data.toString(),
                "--output", dir.resolve("out").toString(), "--steps", "3", "--lr", "1e-3", "--device", "cpu");
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        try (CausalLm lm = CausalLm.load(dir.resolve("out/model"), Device.cpu())) {
            assertTrue(Files.exists(dir.resolve("out/model/tokenizer.json")));
        }
        assertEquals(3, Files.readAllLines(dir.resolve("out/metrics.jsonl")).size());
    }

    @Test
    void rl_ppo_trainsAndSavesLoadableModel() throws IOException {
        Path model = model();
        Path data = dir.resolve("problems.jsonl");
        Files.writeString(data, "{\"question\": \"1+1=?\", \"answer\": \"2\"}\n");
        RlCommand command = new RlCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        int code = new CommandLine(command).execute("--model", model.toString(), "--prompts", data.toString(),
                "--output", dir.resolve("out").toString(), "--strategy", "PPO", "--steps", "2", "--samples", "2",
                "--prompts-per-step", "1", "--max-new-tokens", "3", "--device", "cpu");
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        try (CausalLm lm = CausalLm.load(dir.resolve("out/model"), Device.cpu())) {
            assertEquals(2, Files.readAllLines(dir.resolve("out/metrics.jsonl")).size());
        }
    }

    private int rl(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        RlCommand command = new RlCommand();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new CommandLine(command).execute(args);
    }

    private int dpo(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        DpoCommand command = new DpoCommand();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new CommandLine(command).execute(args);
    }

    @Test
    void rl_klAgainstTheStartingModel_checkpointsAndResumesLatest() throws IOException {
        Path model = model();
        Path data = dir.resolve("problems.jsonl");
        Files.writeString(data, "{\"question\": \"1+1=?\", \"answer\": \"2\"}\n");
        Path output = dir.resolve("out");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] common = {"--model", model.toString(), "--prompts", data.toString(), "--output", output.toString(),
            "--strategy", "REINFORCE", "--kl-coef", "0.05", "--samples", "2", "--prompts-per-step", "1",
            "--max-new-tokens", "3", "--lr", "1e-3", "--save-every", "1", "--device", "cpu"};

        assertEquals(0, rl(out, err, concat(common, "--steps", "2")), err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.isDirectory(output.resolve("checkpoint-1")) && Files.isDirectory(output.resolve("checkpoint-2")));
        assertEquals(0, rl(out, err, concat(common, "--steps", "3", "--resume", "latest")),
                err.toString(StandardCharsets.UTF_8));

        assertTrue(Files.isDirectory(output.resolve("checkpoint-3")));
        List<String> metrics = Files.readAllLines(output.resolve("metrics.jsonl"));
        assertEquals(3, metrics.size(), "two steps, then one more after resuming");
        assertTrue(metrics.get(2).contains("\"step\":3"), metrics.get(2));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("rl reinforce: 1 steps"),
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void rl_referenceWithoutKl_andResumeWithoutCheckpoint_exitTwo() throws IOException {
        Path data = dir.resolve("problems.jsonl");
        Files.writeString(data, "{\"question\": \"1+1=?\", \"answer\": \"2\"}\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, rl(out, err, "--model", dir.toString(), "--prompts", data.toString(), "--output",
                dir.resolve("o").toString(), "--reference", dir.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--kl-coef > 0"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, rl(out, err, "--model", dir.toString(), "--prompts", data.toString(), "--output",
                dir.resolve("o").toString(), "--resume", "latest"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("holds no checkpoint"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void dpo_liveReference_checkpointsAndResumesLatest() throws IOException {
        Path model = model();
        Path data = dir.resolve("pairs.jsonl");
        Files.writeString(data, "{\"prompt\": \"1+1=?\", \"chosen\": \"2\", \"rejected\": \"3\"}\n"
                + "{\"prompt\": \"2+2=?\", \"chosen\": \"4\", \"rejected\": \"5\"}\n");
        Path output = dir.resolve("out");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] common = {"--model", model.toString(), "--data", data.toString(), "--output", output.toString(),
            "--reference", model.toString(), "--reference-mode", "LIVE", "--lr", "1e-3", "--pairs-per-step", "2",
            "--save-every", "1", "--device", "cpu"};

        assertEquals(0, dpo(out, err, concat(common, "--steps", "2")), err.toString(StandardCharsets.UTF_8));
        assertEquals(0, dpo(out, err, concat(common, "--steps", "3", "--resume", output.resolve("checkpoint-2")
                .toString())), err.toString(StandardCharsets.UTF_8));

        assertTrue(Files.isDirectory(output.resolve("checkpoint-3")));
        assertEquals(3, Files.readAllLines(output.resolve("metrics.jsonl")).size());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("dpo: 1 steps"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void dpo_liveWithoutReference_exitsTwoNamingTheFix() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, dpo(out, err, "--model", dir.toString(), "--data", dir.resolve("p.jsonl").toString(),
                "--output", dir.resolve("o").toString(), "--reference-mode", "LIVE"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("give --reference DIR"),
                err.toString(StandardCharsets.UTF_8));
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
