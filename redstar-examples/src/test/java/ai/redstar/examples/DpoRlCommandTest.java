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
}
