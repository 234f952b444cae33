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

class SftCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

    private int run(String... args) {
        SftCommand command = new SftCommand();
        command.out = new PrintStream(output, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(errors, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, c, p) -> {
            throw e;
        });
        return cli.execute(args);
    }

    /** A tiny Qwen2 model folder with a character tokenizer, and three training records in all TRL forms. */
    private Path[] fixture() throws IOException {
        Path model = dir.resolve("model");
        TokenizerFiles.writeCharLevel(model, "abcdefghijklmnopqrstuvwxyz0123456789 +=?", List.of());
        int vocab;
        try (ChatTokenizer tokenizer = ChatTokenizer.load(model)) {
            vocab = tokenizer.vocabularySize();
        }
        ModelConfig config = ModelConfig.builder(ModelType.QWEN2).vocabSize(vocab).hiddenSize(32)
                .intermediateSize(64).numHiddenLayers(1).numAttentionHeads(4).numKeyValueHeads(2)
                .tieWordEmbeddings(true).build();
        try (CausalLm lm = CausalLm.randomInit(config, 1, Device.cpu())) {
            lm.save(model, TensorDtype.F32);
        }
        Path data = dir.resolve("train.jsonl");
        Files.writeString(data, String.join("\n",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"2+2=?\"}, {\"role\": \"assistant\", \"content\": \"4\"}]}",
                "{\"prompt\": \"3+3=?\", \"completion\": \"6\"}",
                "{\"prompt\": [{\"role\": \"user\", \"content\": \"1+1=?\"}], \"completion\": [{\"role\": \"assistant\", \"content\": \"2\"}]}")
                + "\n", StandardCharsets.UTF_8);
        return new Path[] {model, data};
    }

    @Test
    void sft_trainsAModelFolderAndWritesLoadableCheckpoints() throws IOException {
        Path[] fixture = fixture();
        Path model = fixture[0];
        Path data = fixture[1];
        int vocab;
        try (ChatTokenizer tokenizer = ChatTokenizer.load(model)) {
            vocab = tokenizer.vocabularySize();
        }
        Path out = dir.resolve("out");
        String[] common = {"--model", model.toString(), "--data", data.toString(), "--output", out.toString(),
            "--max-length", "64", "--batch-tokens", "64", "--lr", "1e-3", "--save-every", "2", "--device", "cpu"};

        assertEquals(0, run(concat(common, "--max-steps", "4")), errors.toString(StandardCharsets.UTF_8));
        String printed = output.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("trained 4 steps"), printed);
        assertTrue(printed.contains("checkpoint: " + out.resolve("checkpoint-4")), printed);
        Path checkpoint = out.resolve("checkpoint-4");
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "trainer_state.json", "optimizer.safetensors")) {
            assertTrue(Files.isRegularFile(checkpoint.resolve(file)), file);
        }
        try (CausalLm reloaded = CausalLm.load(checkpoint, Device.cpu());
                ChatTokenizer tokenizer = ChatTokenizer.load(checkpoint)) {
            assertEquals(vocab, tokenizer.vocabularySize());
            assertEquals(1, reloaded.config().numHiddenLayers());
        }
        assertEquals(4, Files.readAllLines(out.resolve("metrics.jsonl")).size());

        output.reset();
        assertEquals(0, run(concat(common, "--max-steps", "4", "--resume")), errors.toString(StandardCharsets.UTF_8));
        assertTrue(output.toString(StandardCharsets.UTF_8).startsWith("trained 4 steps"));

        errors.reset();
        assertEquals(2, run(concat(common, "--max-steps", "4")));
        assertTrue(errors.toString(StandardCharsets.UTF_8).contains("already holds checkpoints"), errors.toString());
    }

    @Test
    void sftLora_withContextExtension_writesPeftCheckpointsResumesAndMerges() throws IOException {
        Path[] fixture = fixture();
        Path out = dir.resolve("lora-out");
        Path merged = dir.resolve("merged");
        String[] common = {"--model", fixture[0].toString(), "--data", fixture[1].toString(), "--output",
            out.toString(), "--max-length", "64", "--batch-tokens", "64", "--lr", "1e-2", "--save-every", "2",
            "--device", "cpu", "--lora", "--lora-rank", "4", "--lora-targets", "Q,V,GATE", "--context-factor", "2",
            "--lora-merged", merged.toString()};
        assertEquals(0, run(concat(common, "--max-steps", "4")), errors.toString(StandardCharsets.UTF_8));
        Path checkpoint = out.resolve("checkpoint-4");
        for (String file : List.of("adapter_config.json", "adapter_model.safetensors", "tokenizer.json",
                SftCommand.LORA_STATE, "trainer_state.json", "optimizer.safetensors")) {
            assertTrue(Files.isRegularFile(checkpoint.resolve(file)), file);
        }
        assertTrue(Files.readString(checkpoint.resolve("adapter_config.json")).contains("\"r\": 4"));
        try (CausalLm reloaded = CausalLm.load(merged, Device.cpu())) {
            assertEquals(2.0, reloaded.config().ropeScaling().orElseThrow().factor());
        }
        output.reset();
        assertEquals(0, run(concat(common, "--max-steps", "4", "--resume")), errors.toString(StandardCharsets.UTF_8));
        assertTrue(output.toString(StandardCharsets.UTF_8).startsWith("trained 4 steps"));
    }

    @Test
    void sft_resumeWithoutCheckpoint_exitsWith2() {
        assertEquals(2, run("--model", dir.toString(), "--data", dir.resolve("x.jsonl").toString(), "--output",
                dir.resolve("none").toString(), "--resume"));
        assertTrue(errors.toString(StandardCharsets.UTF_8).contains("holds no checkpoint"));
    }

    @Test
    void sft_epochsAndMaxStepsTogether_areRejected() {
        CommandLine cli = new CommandLine(new SftCommand());
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertEquals(2, cli.execute("--model", "m", "--data", "d", "--output", "o", "--epochs", "1", "--max-steps",
                "2"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
