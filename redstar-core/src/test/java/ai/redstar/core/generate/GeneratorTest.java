package ai.redstar.core.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.model.ModelConfig;
import ai.redstar.core.model.ModelType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private static final int VOCAB = 64;
    private static final int[] SHORT = {5, 9, 2};
    private static final int[] LONG = {11, 3, 7, 60, 1, 42, 8};
    private static final int[] MIDDLE = {33, 4, 19, 25, 50};
    /** Token i decodes to two letters, so a stop string can start inside one token and end in the next. */
    private static final TokenDecoder DECODER = ids -> IntStream.of(ids)
            .mapToObj(i -> "" + (char) ('a' + i / 8) + (char) ('A' + i % 8)).collect(Collectors.joining());

    private static final float HEAD_SCALE = 10f;
    private static CausalLm model;

    @BeforeAll
    static void tinyModel() {
        ModelConfig config = ModelConfig.builder(ModelType.QWEN2).vocabSize(VOCAB).hiddenSize(32).intermediateSize(64)
                .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).tieWordEmbeddings(false)
                .maxPositionEmbeddings(64).eosTokenIds(List.of(63)).build();
        model = CausalLm.randomInit(config, 7, Device.cpu());
        // Sharpen the head so next-token distributions are peaked (clear argmax gaps) but far from one-hot.
        model.parameters().get("lm_head.weight").muli(HEAD_SCALE);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Generator generator() {
        return Generator.builder(model).decoder(DECODER).build();
    }

    private static SamplingParams.Builder sampling(int maxNew) {
        return SamplingParams.builder(maxNew).temperature(0.9).stopTokenIds();
    }

    /** Logits {@code [seq, vocab]} of a full forward pass (no cache) over one sequence. */
    private static float[][] fullLogits(int[] tokens) {
        try (NDManager m = NDManager.newBaseManager()) {
            int s = tokens.length;
            long[] ids = new long[s];
            long[] pos = new long[s];
            long[] seg = new long[s];
            for (int i = 0; i < s; i++) {
                ids[i] = tokens[i];
                pos[i] = i;
                seg[i] = 1;
            }
            Shape shape = new Shape(1, s);
            NDArray logits = model.forward(m.create(ids, shape), m.create(pos, shape), m.create(seg, shape));
            float[] flat = logits.toFloatArray();
            float[][] out = new float[s][];
            for (int i = 0; i < s; i++) {
                out[i] = Arrays.copyOfRange(flat, i * VOCAB, (i + 1) * VOCAB);
            }
            return out;
        }
    }

    private static double logSoftmax(float[] logits, double temperature, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / temperature);
        }
        double z = 0;
        for (float l : logits) {
            z += Math.exp(l / temperature - max);
        }
        return logits[token] / temperature - max - Math.log(z);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void generate_greedyWithCache_equalsFullRecomputationForLeftPaddedBatch() {
        SamplingParams greedy = SamplingParams.builder(12).temperature(0).stopTokenIds().build();
        List<GenerationResult> results = generator().generate(List.of(GenerationRequest.of(SHORT, greedy),
                GenerationRequest.of(LONG, greedy), GenerationRequest.of(MIDDLE, greedy)));
        int[][] prompts = {SHORT, LONG, MIDDLE};
        for (int r = 0; r < prompts.length; r++) {
            Completion c = results.get(r).first();
            assertEquals(12, c.length());
            assertEquals(FinishReason.LENGTH, c.finishReason());
            int[] sequence = prompts[r].clone();
            for (int t = 0; t < 12; t++) {
                float[] last = fullLogits(sequence)[sequence.length - 1];
                int argmax = 0;
                for (int v = 1; v < VOCAB; v++) {
                    if (last[v] > last[argmax]) {
                        argmax = v;
                    }
                }
                assertEquals(argmax, c.tokenIds()[t], "request " + r + ", token " + t);
                assertEquals(logSoftmax(last, 1.0, argmax), c.logProbs()[t], 1e-4, "request " + r + ", token " + t);
                assertEquals(0f, c.truncatedLogProbs()[t]);
                sequence = concat(sequence, new int[] {argmax});
            }
        }
        assertTrue(Arrays.stream(results.get(0).first().tokenIds()).distinct().count() > 1,
                "a degenerate model would make this test vacuous");
    }

    @Test
    void generate_logProbs_equalLogSoftmaxOfFullForwardAtTemperature() {
        double t = 0.7;
        SamplingParams p = SamplingParams.builder(10).temperature(t).topK(12).topP(0.9).stopTokenIds().seed(3)
                .samplesPerPrompt(2).build();
        GenerationResult result = generator().generate(GenerationRequest.of(LONG, p));
        for (Completion c : result.completions()) {
            float[][] logits = fullLogits(concat(LONG, c.tokenIds()));
            for (int i = 0; i < c.length(); i++) {
                float[] at = logits[LONG.length - 1 + i];
                int token = c.tokenIds()[i];
                assertEquals(logSoftmax(at, t, token), c.logProbs()[i], 1e-4, "token " + i);
                assertTrue(c.truncatedLogProbs()[i] >= c.logProbs()[i] - 1e-6, "truncation renormalises upwards");
            }
        }
    }

    @Test
    void generate_longPromptsPrefilledInPieces_sameAsInOnePass() {
        SamplingParams greedy = SamplingParams.builder(6).temperature(0).stopTokenIds().build();
        List<GenerationRequest> requests = List.of(GenerationRequest.of(SHORT, greedy),
                GenerationRequest.of(LONG, greedy));
        List<GenerationResult> whole = generator().generate(requests);
        // 2 prompts x 4 heads x piece x 7 positions <= 60 elements: pieces of 1 token.
        List<GenerationResult> pieces = Generator.builder(model).prefillScoreElements(60).build().generate(requests);
        for (int r = 0; r < 2; r++) {
            assertArrayEquals(whole.get(r).first().tokenIds(), pieces.get(r).first().tokenIds());
            float[] x = whole.get(r).first().logProbs();
            float[] y = pieces.get(r).first().logProbs();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-4);
            }
        }
    }

    @Test
    void generate_sameSeed_identicalSamplesAndLogProbs() {
        SamplingParams p = sampling(16).samplesPerPrompt(3).seed(11).build();
        GenerationResult a = generator().generate(GenerationRequest.of(MIDDLE, p));
        GenerationResult b = generator().generate(GenerationRequest.of(MIDDLE, p));
        for (int s = 0; s < 3; s++) {
            assertArrayEquals(a.completions().get(s).tokenIds(), b.completions().get(s).tokenIds());
            assertArrayEquals(a.completions().get(s).logProbs(), b.completions().get(s).logProbs());
        }
        assertFalse(Arrays.equals(a.completions().get(0).tokenIds(), a.completions().get(1).tokenIds()),
                "samples of one request draw from different streams");
    }

    @Test
    void generate_differentSeeds_differentSamples() {
        GenerationResult a = generator().generate(GenerationRequest.of(MIDDLE, sampling(16).seed(1).build()));
        GenerationResult b = generator().generate(GenerationRequest.of(MIDDLE, sampling(16).seed(2).build()));
        assertFalse(Arrays.equals(a.first().tokenIds(), b.first().tokenIds()));
    }

    @Test
    void generate_requestAlone_equalsSameRequestInsideABatch() {
        GenerationRequest target = GenerationRequest.of(MIDDLE, sampling(14).topP(0.95).samplesPerPrompt(2).seed(5)
                .build());
        GenerationResult alone = generator().generate(target);
        List<GenerationResult> batch = Generator.builder(model).maxBatchRows(5).build().generate(List.of(
                GenerationRequest.of(LONG, sampling(20).samplesPerPrompt(2).seed(9).build()),
                GenerationRequest.of(SHORT, SamplingParams.greedy(3)),
                target,
                GenerationRequest.of(MIDDLE, sampling(6).topK(4).seed(5).build())));
        GenerationResult inBatch = batch.get(2);
        for (int s = 0; s < 2; s++) {
            assertArrayEquals(alone.completions().get(s).tokenIds(), inBatch.completions().get(s).tokenIds());
            float[] x = alone.completions().get(s).logProbs();
            float[] y = inBatch.completions().get(s).logProbs();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], y[i], 1e-4);
            }
        }
    }

    @Test
    void generate_stopToken_endsCompletionWithTheTokenIncluded() {
        SamplingParams greedy = SamplingParams.builder(12).temperature(0).stopTokenIds().build();
        int[] free = generator().generate(GenerationRequest.of(LONG, greedy)).first().tokenIds();
        int stop = free[4];
        int firstAt = 0;
        while (free[firstAt] != stop) {
            firstAt++;
        }
        Completion c = generator().generate(GenerationRequest.of(LONG,
                SamplingParams.builder(12).temperature(0).stopTokenIds(stop).build())).first();
        assertEquals(FinishReason.STOP_TOKEN, c.finishReason());
        assertArrayEquals(Arrays.copyOf(free, firstAt + 1), c.tokenIds());
        assertEquals(firstAt + 1, c.logProbs().length);
        assertEquals(DECODER.decode(Arrays.copyOf(free, firstAt)), c.text().orElseThrow(),
                "the text leaves the stop token out");
    }

    @Test
    void generate_modelEos_isTheDefaultStopToken() {
        SamplingParams p = SamplingParams.builder(40).temperature(1.5).samplesPerPrompt(8).seed(1).build();
        GenerationResult r = generator().generate(GenerationRequest.of(SHORT, p));
        for (Completion c : r.completions()) {
            int[] ids = c.tokenIds();
            for (int i = 0; i < ids.length - 1; i++) {
                assertNotEquals(63, ids[i]);
            }
            assertEquals(c.finishReason() == FinishReason.STOP_TOKEN, ids[ids.length - 1] == 63);
        }
    }

    @Test
    void generate_stopStringSpanningTwoTokens_cutsTextAndReportsIt() {
        SamplingParams greedy = SamplingParams.builder(12).temperature(0).stopTokenIds().build();
        int[] free = generator().generate(GenerationRequest.of(SHORT, greedy)).first().tokenIds();
        String text = DECODER.decode(free);
        // The second letter of token 3 and the first of token 4.
        String stop = text.substring(7, 9);
        int end = 1;
        while (!DECODER.decode(Arrays.copyOf(free, end)).contains(stop)) {
            end++;
        }
        Completion c = generator().generate(GenerationRequest.of(SHORT,
                SamplingParams.builder(12).temperature(0).stopTokenIds().stopStrings("zz-never", stop).build()))
                .first();
        assertEquals(FinishReason.STOP_STRING, c.finishReason());
        assertEquals(stop, c.stopString().orElseThrow());
        assertArrayEquals(Arrays.copyOf(free, end), c.tokenIds(), "ids run to the token completing the string");
        assertEquals(text.substring(0, text.indexOf(stop)), c.text().orElseThrow());
    }

    @Test
    void generate_maxNewTokens_finishesOnLength() {
        Completion c = generator().generate(GenerationRequest.of(LONG, sampling(5).build())).first();
        assertEquals(5, c.length());
        assertEquals(FinishReason.LENGTH, c.finishReason());
        assertTrue(c.stopString().isEmpty());
    }

    @Test
    void generate_maxPositionEmbeddings_capsTheLength() {
        int[] prompt = new int[60];
        Arrays.fill(prompt, 7);
        Completion c = generator().generate(GenerationRequest.of(prompt, sampling(10).build())).first();
        assertEquals(4, c.length(), "positions 60..63 fit under max_position_embeddings 64");
        assertEquals(FinishReason.LENGTH, c.finishReason());
    }

    @Test
    void generate_finishedRows_areDroppedFromTheBatch() {
        List<DecodeStep> steps = new ArrayList<>();
        Generator g = Generator.builder(model).listener(steps::add).build();
        g.generate(List.of(GenerationRequest.of(SHORT, sampling(2).build()),
                GenerationRequest.of(LONG, sampling(6).samplesPerPrompt(3).build()),
                GenerationRequest.of(MIDDLE, sampling(4).build())));
        // Prefill runs on the 3 distinct prompts; then 5 rows until the 2-token row ends, ...
        int[] rows = steps.stream().mapToInt(DecodeStep::rows).toArray();
        assertArrayEquals(new int[] {3, 5, 4, 4, 3, 3}, rows);
        assertEquals(5, steps.get(steps.size() - 1).finishedRows());
        assertEquals(LONG.length + 5, steps.get(steps.size() - 1).cacheLength());
    }

    @Test
    void generate_moreRowsThanMaxBatchRows_runsInChunksWithSameResults() {
        SamplingParams p = sampling(6).samplesPerPrompt(5).seed(4).build();
        List<DecodeStep> steps = new ArrayList<>();
        GenerationResult chunked = Generator.builder(model).maxBatchRows(2).listener(steps::add).build()
                .generate(GenerationRequest.of(SHORT, p));
        GenerationResult whole = generator().generate(GenerationRequest.of(SHORT, p));
        assertEquals(2, steps.get(steps.size() - 1).chunk());
        for (int s = 0; s < 5; s++) {
            assertEquals(s, chunked.completions().get(s).sampleIndex());
            assertArrayEquals(whole.completions().get(s).tokenIds(), chunked.completions().get(s).tokenIds());
        }
    }

    @Test
    void generate_invalidRequests_listsEveryProblemBeforeRunning() {
        int[] tooLong = new int[64];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Generator.builder(model).build().generate(List.of(
                        GenerationRequest.of(new int[] {1, 64}, SamplingParams.greedy(3)),
                        GenerationRequest.of(tooLong, SamplingParams.greedy(3)),
                        GenerationRequest.of(SHORT, SamplingParams.builder(3).stopStrings("x").build()),
                        GenerationRequest.of(SHORT, SamplingParams.builder(3).stopTokenIds(99).build()))));
        String m = e.getMessage();
        for (String expected : List.of("requests[0]: prompt token 1 is id 64", "requests[1]: the prompt has 64",
                "requests[2]: stop strings [x] need a TokenDecoder", "requests[3]: stop token id 99")) {
            assertTrue(m.contains(expected), "missing '" + expected + "' in: " + m);
        }
    }

    @Test
    void builder_invalidMaxBatchRows_rejects() {
        assertThrows(IllegalArgumentException.class, () -> Generator.builder(model).maxBatchRows(0).build());
        assertThrows(IllegalStateException.class, () -> Generator.builder(model).maxBatchRows(2).maxBatchRows(3));
    }

    @Test
    void generate_onAFreshThread_runsWithoutRecordingGradients() throws Exception {
        Completion[] out = new Completion[1];
        Thread t = new Thread(() -> out[0] = generator().generate(
                GenerationRequest.of(SHORT, SamplingParams.greedy(4))).first());
        t.start();
        t.join();
        Completion here = generator().generate(GenerationRequest.of(SHORT, SamplingParams.greedy(4))).first();
        assertArrayEquals(here.tokenIds(), out[0].tokenIds());
    }
}
