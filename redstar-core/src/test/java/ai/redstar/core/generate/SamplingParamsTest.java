package ai.redstar.core.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.checkpoint.GenerationConfig;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {
    @Test
    void builder_defaults_areDocumented() {
        SamplingParams p = SamplingParams.builder(64).build();
        assertEquals(1.0, p.temperature());
        assertTrue(p.topK().isEmpty());
        assertEquals(1.0, p.topP());
        assertEquals(64, p.maxNewTokens());
        assertTrue(p.stopTokenIds().isEmpty(), "unset stop tokens mean the model's EOS ids");
        assertEquals(List.of(), p.stopStrings());
        assertEquals(1, p.samplesPerPrompt());
        assertEquals(0L, p.seed());
        assertFalse(p.isGreedy());
        assertTrue(SamplingParams.greedy(8).isGreedy());
    }

    @Test
    void build_manyProblems_listsEveryOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder(0)
                .temperature(-1).topK(0).topP(1.5).samplesPerPrompt(0).stopTokenIds(-3).stopStrings("ok", "")
                .build());
        String m = e.getMessage();
        for (String expected : List.of("temperature is -1.0", "topK is 0", "topP is 1.5", "maxNewTokens is 0",
                "samplesPerPrompt is 0", "stopTokenIds holds -3", "stopStrings[1] is empty")) {
            assertTrue(m.contains(expected), "missing '" + expected + "' in: " + m);
        }
    }

    @Test
    void build_greedyWithSeveralSamples_rejects() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamplingParams.builder(4).temperature(0).samplesPerPrompt(3).build());
        assertTrue(e.getMessage().contains("identical samples"), e.getMessage());
    }

    @Test
    void build_nanTemperature_rejects() {
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder(4).temperature(Double.NaN).build());
    }

    @Test
    void builder_propertySetTwice_throws() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SamplingParams.builder(4).seed(1).seed(2));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
    }

    @Test
    void toBuilder_overridesOneProperty_keepsTheRest() {
        SamplingParams base = SamplingParams.builder(32).temperature(0.7).topK(20).topP(0.95).stopTokenIds(5, 6)
                .stopStrings("</answer>").samplesPerPrompt(4).seed(9).build();
        SamplingParams next = base.toBuilder().seed(10).build();
        assertEquals(10L, next.seed());
        assertEquals(base.toBuilder().seed(10).build(), next);
        assertEquals(0.7, next.temperature());
        assertEquals(20, next.topK().getAsInt());
        assertEquals(Set.of(5, 6), next.stopTokenIds().orElseThrow());
        assertEquals(List.of("</answer>"), next.stopStrings());
        assertEquals(4, next.samplesPerPrompt());
        assertEquals(base, base.toBuilder().build());
    }

    @Test
    void stopTokenIds_explicitlyEmpty_meansNone() {
        assertEquals(Set.of(), SamplingParams.builder(4).stopTokenIds().build().stopTokenIds().orElseThrow());
    }

    @Test
    void request_emptyOrNegativePrompt_rejects() {
        SamplingParams p = SamplingParams.greedy(4);
        assertThrows(IllegalArgumentException.class, () -> GenerationRequest.of(new int[0], p));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GenerationRequest.of(new int[] {1, -2}, p));
        assertTrue(e.getMessage().contains("promptTokenIds[1] is -2"), e.getMessage());
    }

    @Test
    void request_promptArray_isCopied() {
        int[] prompt = {1, 2, 3};
        GenerationRequest r = GenerationRequest.of(prompt, SamplingParams.greedy(4));
        prompt[0] = 99;
        assertEquals(1, r.promptTokenIds()[0]);
    }

    @Test
    void builderFromGenerationConfig_sampling_readsLikeTransformers() {
        GenerationConfig qwenLike = GenerationConfig.fromJson("{\"do_sample\": true, \"temperature\": 0.7, "
                + "\"top_p\": 0.8, \"top_k\": 20, \"eos_token_id\": [151645, 151643], \"repetition_penalty\": 1.05}");
        SamplingParams p = SamplingParams.builder(qwenLike, 512).seed(3).build();
        assertEquals(0.7, p.temperature());
        assertEquals(20, p.topK().getAsInt());
        assertEquals(0.8, p.topP());
        assertEquals(512, p.maxNewTokens());
        assertEquals(Set.of(151645, 151643), p.stopTokenIds().orElseThrow());
        assertEquals(3L, p.seed());
        SamplingParams overridden = SamplingParams.builder(qwenLike, 512).temperature(1.0).build();
        assertEquals(1.0, overridden.temperature(), "a preset may be overridden once");
    }

    @Test
    void builderFromGenerationConfig_absentFields_takeTransformersDefaults() {
        SamplingParams greedy = SamplingParams.builder(GenerationConfig.fromJson("{\"max_new_tokens\": 64}"), 512)
                .build();
        assertTrue(greedy.isGreedy(), "do_sample absent means greedy");
        assertEquals(64, greedy.maxNewTokens());
        assertTrue(greedy.stopTokenIds().isEmpty(), "no eos_token_id: the model's EOS ids");
        SamplingParams sampled = SamplingParams.builder(GenerationConfig.fromJson("{\"do_sample\": true}"), 32)
                .build();
        assertEquals(1.0, sampled.temperature());
        assertEquals(50, sampled.topK().getAsInt());
        assertEquals(1.0, sampled.topP());
        SamplingParams noTopK = SamplingParams.builder(
                GenerationConfig.fromJson("{\"do_sample\": true, \"top_k\": 0}"), 32).build();
        assertTrue(noTopK.topK().isEmpty(), "top_k 0 disables top-k");
    }
}
