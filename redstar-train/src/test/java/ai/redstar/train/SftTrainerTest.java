package ai.redstar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftTrainerTest {
    private static final int VOCAB = 48;
    private static final long MODEL_SEED = 7;

    @TempDir
    Path dir;

    @Test
    void fit_smallSet_memorisesIt() {
        try (ChatTokenizer tokenizer = TinySft.tokenizer(dir)) {
            Path file = TinySft.write(dir.resolve("train.jsonl"), List.of(
                    TinySft.chat("2+2=?", "4"), TinySft.chat("3+5=?", "8"),
                    TinySft.chat("spell cat", "c a t"), TinySft.chat("what is 7+1?", "it is 8.")));
            SftData data = SftData.fromJsonl(file, tokenizer);
            try (CausalLm model = TinySft.model(tokenizer.vocabularySize(), 1)) {
                List<Double> losses = new ArrayList<>();
                SftResult result = SftTrainer.builder(model, data).maxLength(256).batchTokens(256).maxSteps(80)
                        .learningRate(3e-2).warmupSteps(5).progress(Progress.Mode.OFF)
                        .onStep(m -> losses.add(m.loss())).build().fit();
                assertEquals(80, result.steps());
                assertTrue(losses.get(0) > 2.0, "first loss " + losses.get(0));
                assertTrue(result.finalLoss() < 0.1, "final loss " + result.finalLoss() + " after " + losses);
                assertEquals(data.size(), 4);
            }
        }
    }

    @Test
    void fit_everyTrainableParameterChanges() {
        SftData data = SftData.of(TinySft.randomExamples(6, 8, 20, VOCAB, 3));
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            Map<String, float[]> before = TinySft.snapshot(model.parameters());
            small(model, data).maxSteps(2).build().fit();
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                assertFalse(Arrays.equals(before.get(e.getKey()), e.getValue().toFloatArray()),
                        e.getKey() + " did not change");
            }
        }
    }

    @Test
    void fit_trainsOnlyTheGivenParameters() {
        SftData data = SftData.of(TinySft.randomExamples(6, 8, 20, VOCAB, 3));
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            Map<String, NDArray> all = model.parameters();
            List<String> chosen = List.of("model.layers.0.self_attn.q_proj.weight", "model.norm.weight");
            Map<String, NDArray> trainable = new java.util.LinkedHashMap<>();
            chosen.forEach(name -> trainable.put(name, all.get(name)));
            Map<String, float[]> before = TinySft.snapshot(all);
            small(model, data).trainableParameters(trainable).weightDecay(0.1).maxSteps(2).build().fit();
            for (Map.Entry<String, NDArray> e : all.entrySet()) {
                boolean changed = !Arrays.equals(before.get(e.getKey()), e.getValue().toFloatArray());
                assertEquals(chosen.contains(e.getKey()), changed, e.getKey());
            }
        }
    }

    @Test
    void fit_packedBatch_lossEqualsRecordsRunAloneWeightedByTokens() {
        List<TokenizedExample> examples = TinySft.randomExamples(3, 6, 20, VOCAB, 11);
        double packed = firstLoss(SftData.of(examples), Batching.PACKED, 64, 64);
        double padded = firstLoss(SftData.of(examples), Batching.PADDED, 64, 3 * 64);
        double weighted = 0;
        long tokens = 0;
        for (TokenizedExample e : examples) {
            weighted += firstLoss(SftData.of(List.of(e)), Batching.PACKED, 64, 64) * e.lossTokens();
            tokens += e.lossTokens();
        }
        assertEquals(weighted / tokens, packed, 1e-5);
        assertEquals(weighted / tokens, padded, 1e-5);
    }

    private double firstLoss(SftData data, Batching batching, int maxLength, int batchTokens) {
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            double[] loss = new double[1];
            SftResult result = base(model, data).batching(batching).maxLength(maxLength).batchTokens(batchTokens)
                    .maxSteps(1).onStep(m -> loss[0] = m.loss()).build().fit();
            assertEquals(1, result.steps());
            return loss[0];
        }
    }

    @Test
    void fit_batchOf8_equalsTwoAccumulatedBatchesOf4() {
        SftData data = SftData.of(TinySft.randomExamples(24, 6, 30, VOCAB, 5));
        List<Double> whole = new ArrayList<>();
        List<Double> accumulated = new ArrayList<>();
        float[] wholeWeights;
        float[] accumulatedWeights;
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            base(model, data).maxLength(32).batchTokens(8 * 32).gradientAccumulation(1).maxSteps(3)
                    .onStep(m -> whole.add(m.loss())).build().fit();
            wholeWeights = model.parameters().get("model.layers.1.mlp.down_proj.weight").toFloatArray();
        }
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            base(model, data).maxLength(32).batchTokens(4 * 32).gradientAccumulation(2).maxSteps(3)
                    .onStep(m -> accumulated.add(m.loss())).build().fit();
            accumulatedWeights = model.parameters().get("model.layers.1.mlp.down_proj.weight").toFloatArray();
        }
        assertEquals(3, whole.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(whole.get(i), accumulated.get(i), 1e-6, "step " + (i + 1));
        }
        assertArrayEquals(wholeWeights, accumulatedWeights, 1e-6f);
    }

    @Test
    void resume_afterKill_continuesWithTheSameLosses() {
        SftData data = SftData.of(TinySft.randomExamples(12, 6, 28, VOCAB, 9));
        List<Double> straight = new ArrayList<>();
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            SftResult r = resumable(model, data, dir.resolve("straight")).onStep(m -> straight.add(m.loss()))
                    .build().fit();
            assertEquals(8, r.steps());
        }
        assertTrue(straight.size() == 8, straight.toString());

        Path output = dir.resolve("interrupted");
        List<Double> first = new ArrayList<>();
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            RuntimeException kill = assertThrows(RuntimeException.class, () -> resumable(model, data, output)
                    .onStep(m -> {
                        if (m.step() == 5) {
                            throw new RuntimeException("killed");
                        }
                        if (m.step() <= 3) {
                            first.add(m.loss());
                        }
                    }).build().fit());
            assertEquals("killed", kill.getMessage());
        }
        // killed during step 5: step 4 was trained but not saved; the run resumes mid-epoch after step 3
        Path checkpoint = SftTrainer.latestCheckpoint(output).orElseThrow();
        assertEquals("checkpoint-3", checkpoint.getFileName().toString());
        List<Double> second = new ArrayList<>();
        SftResult resumed;
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            resumed = resumable(model, data, output).resumeFrom(checkpoint).onStep(m -> second.add(m.loss()))
                    .build().fit();
        }
        List<Double> joined = new ArrayList<>(first);
        joined.addAll(second);
        assertEquals(8, joined.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(straight.get(i), joined.get(i), 1e-6, "step " + (i + 1) + ": " + straight + " vs " + joined);
        }
        assertEquals(8, resumed.steps());
        assertEquals(straight.get(7), resumed.finalLoss(), 1e-6);
        assertEquals(output.resolve("checkpoint-8"), resumed.lastCheckpoint().orElseThrow());
        List<Double> epochs = new ArrayList<>();
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            resumable(model, data, dir.resolve("epochs")).onStep(m -> epochs.add(m.epoch())).build().fit();
        }
        assertEquals(List.of(0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0), epochs, "two steps per epoch");
        List<Long> metricSteps = metricSteps(output);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), metricSteps);
    }

    /** 8 steps over 4 epochs of 2 steps with accumulation, clipping, weight decay and a checkpoint every 3 steps. */
    private SftTrainer.Builder resumable(CausalLm model, SftData data, Path output) {
        return base(model, data).outputDir(output).maxLength(32).batchTokens(64).gradientAccumulation(2)
                .maxSteps(8).saveEvery(3).weightDecay(0.1).maxGradientNorm(0.5).warmupSteps(2).learningRate(3e-3);
    }

    @Test
    void resume_withOtherSettings_refusesNamingTheDifference() {
        SftData data = SftData.of(TinySft.randomExamples(6, 6, 20, VOCAB, 9));
        Path output = dir.resolve("run");
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            base(model, data).maxLength(32).outputDir(output).maxSteps(2).learningRate(1e-3).build().fit();
        }
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            SftTrainer trainer = base(model, data).maxLength(32).outputDir(output).maxSteps(2).learningRate(2e-3)
                    .resumeFrom(SftTrainer.latestCheckpoint(output).orElseThrow()).build();
            IllegalStateException e = assertThrows(IllegalStateException.class, trainer::fit);
            assertTrue(e.getMessage().contains("learning_rate: checkpoint 0.001, now 0.002"), e.getMessage());
        }
    }

    @Test
    void fit_saveFailsMidway_previousCheckpointStaysLoadable() {
        SftData data = SftData.of(TinySft.randomExamples(6, 6, 20, VOCAB, 9));
        Path output = dir.resolve("run");
        AtomicInteger saves = new AtomicInteger();
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            ModelSaver full = ModelSaver.fullModel(model);
            ModelSaver failing = folder -> {
                full.save(folder);
                if (saves.incrementAndGet() == 2) {
                    throw new UncheckedIOException(new java.io.IOException("disk full (injected)"));
                }
            };
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> small(model, data)
                    .outputDir(output).maxSteps(6).saveEvery(2).checkpointSaver(failing).build().fit());
            assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        }
        assertEquals(List.of("checkpoint-2", "metrics.jsonl"), list(output));
        Path checkpoint = output.resolve("checkpoint-2");
        try (CausalLm reloaded = CausalLm.load(checkpoint, Device.cpu())) {
            assertEquals(TinySft.config(VOCAB).hiddenSize(), reloaded.config().hiddenSize());
        }
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            SftResult r = small(model, data).outputDir(output).maxSteps(6).saveEvery(2).resumeFrom(checkpoint)
                    .build().fit();
            assertEquals(6, r.steps());
        }
        assertEquals(List.of("checkpoint-4", "checkpoint-6", "metrics.jsonl"), list(output));
    }

    @Test
    void resume_callsTheSaversRestoreWithTheCheckpoint() {
        SftData data = SftData.of(TinySft.randomExamples(6, 6, 20, VOCAB, 9));
        Path output = dir.resolve("run");
        List<Path> restored = new ArrayList<>();
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            small(model, data).outputDir(output).maxSteps(2).build().fit();
        }
        Path checkpoint = output.resolve("checkpoint-2");
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            ModelSaver full = ModelSaver.fullModel(model);
            ModelSaver saver = new ModelSaver() {
                @Override
                public void save(Path folder) {
                    full.save(folder);
                }

                @Override
                public void restore(Path folder) {
                    restored.add(folder);
                }
            };
            small(model, data).outputDir(output).maxSteps(3).checkpointSaver(saver).resumeFrom(checkpoint).build();
        }
        assertEquals(List.of(), restored, "nothing is restored before fit()");
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            ModelSaver full = ModelSaver.fullModel(model);
            ModelSaver saver = new ModelSaver() {
                @Override
                public void save(Path folder) {
                    full.save(folder);
                }

                @Override
                public void restore(Path folder) {
                    restored.add(folder);
                }
            };
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> small(model, data)
                    .outputDir(output).maxSteps(3).checkpointSaver(saver).resumeFrom(checkpoint).build().fit());
            assertTrue(e.getMessage().contains("budget: checkpoint \"max_steps=2\", now \"max_steps=3\""),
                    e.getMessage());
            assertEquals(List.of(), restored, "a refused resume restores nothing");
            SftResult r = small(model, data).outputDir(output).maxSteps(2).checkpointSaver(saver)
                    .resumeFrom(checkpoint).build().fit();
            assertEquals(2, r.steps());
        }
        assertEquals(List.of(checkpoint), restored);
    }

    @Test
    void fit_keepsTheNewestCheckpoints() {
        SftData data = SftData.of(TinySft.randomExamples(6, 6, 20, VOCAB, 9));
        Path output = dir.resolve("run");
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            small(model, data).outputDir(output).maxSteps(5).saveEvery(1).keepCheckpoints(2).build().fit();
        }
        assertEquals(List.of("checkpoint-4", "checkpoint-5", "metrics.jsonl"), list(output));
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> small(model, data).outputDir(output).maxSteps(5).build());
            assertTrue(e.getMessage().contains("already holds checkpoints (latest checkpoint-5)"), e.getMessage());
        }
    }

    @Test
    void fit_nanLoss_stopsWithStepValueAndHint() {
        SftData data = SftData.of(TinySft.randomExamples(3, 6, 20, VOCAB, 9));
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            NDArray norm = model.parameters().get("model.norm.weight");
            float[] nan = new float[(int) norm.size()];
            Arrays.fill(nan, Float.NaN);
            norm.set(nan);
            Map<String, float[]> before = TinySft.snapshot(model.parameters());
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> small(model, data).maxSteps(3).build().fit());
            assertEquals(1, e.step());
            assertTrue(Double.isNaN(e.value()));
            assertTrue(e.getMessage().startsWith("step 1: the loss is NaN; the update was not applied"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("example "), e.getMessage());
            assertTrue(e.getMessage().contains("Lower the learning rate"), e.getMessage());
            model.parameters().forEach((name, p) -> assertArrayEquals(before.get(name), p.toFloatArray(), name));
        }
    }

    @Test
    void fit_evaluatesHeldOutDataAndCallbackWithTrainingModeOff() {
        SftData data = SftData.of(TinySft.randomExamples(6, 6, 20, VOCAB, 9));
        SftData heldOut = SftData.of(TinySft.randomExamples(3, 6, 20, VOCAB, 10));
        Path output = dir.resolve("run");
        List<Boolean> modes = new ArrayList<>();
        List<Long> evaluatedAt = new ArrayList<>();
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            small(model, data).outputDir(output).maxSteps(4).evalEvery(2).evalData(heldOut)
                    .evalCallback((m, step) -> {
                        evaluatedAt.add(step);
                        assertFalse(modes.get(modes.size() - 1));
                        return Map.of("accuracy", 0.5);
                    })
                    .trainingMode(modes::add).build().fit();
        }
        assertEquals(List.of(2L, 4L), evaluatedAt);
        assertEquals(List.of(true, false, true, false, true, false), modes);
        List<JsonlRecord> lines;
        try (Stream<JsonlRecord> s = Jsonl.stream(output.resolve("metrics.jsonl"))) {
            lines = s.collect(Collectors.toList());
        }
        assertEquals(6, lines.size());
        JsonlRecord step1 = lines.get(0);
        for (String field : List.of("step", "epoch", "loss", "lr", "grad_norm", "tokens", "loss_tokens",
                "tokens_per_s", "elapsed_s")) {
            assertTrue(step1.has(field), field + " in " + step1.json());
        }
        JsonlRecord eval = lines.get(2);
        assertEquals(2, eval.integer("step"));
        assertTrue(eval.number("eval_loss") > 0);
        assertEquals(0.5, eval.number("eval_accuracy"));
    }

    @Test
    void build_invalidSettings_reportsEveryProblem() {
        SftData data = SftData.of(TinySft.randomExamples(3, 6, 20, VOCAB, 9));
        try (CausalLm model = TinySft.model(VOCAB, MODEL_SEED)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SftTrainer
                    .builder(model, data).maxLength(64).batchTokens(32).epochs(2).maxSteps(5).learningRate(-1)
                    .evalEvery(5).build());
            for (String expected : List.of("batchTokens 32 is below maxLength 64", "set epochs or maxSteps, not both",
                    "learningRate must be positive", "evalEvery is set but there is nothing to evaluate")) {
                assertTrue(e.getMessage().contains(expected), expected + " in " + e.getMessage());
            }
            SftTrainer.Builder builder = SftTrainer.builder(model, data).seed(1);
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> builder.seed(2));
            assertEquals("SftTrainer property 'seed' was already set", twice.getMessage());
        }
    }

    /** Settings shared by the tests: a seed, no progress output. */
    private static SftTrainer.Builder base(CausalLm model, SftData data) {
        return SftTrainer.builder(model, data).seed(3).progress(Progress.Mode.OFF);
    }

    /** {@link #base} with small rows and a fixed learning rate. */
    private static SftTrainer.Builder small(CausalLm model, SftData data) {
        return base(model, data).maxLength(32).batchTokens(64).learningRate(1e-3);
    }

    private static List<String> list(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> metricSteps(Path output) {
        try (Stream<JsonlRecord> s = Jsonl.stream(output.resolve("metrics.jsonl"))) {
            return s.map(r -> r.integer("step")).collect(Collectors.toList());
        }
    }

    @SuppressWarnings("unused")
    private static Consumer<StepMetrics> ignore() {
        return m -> { };
    }
}
