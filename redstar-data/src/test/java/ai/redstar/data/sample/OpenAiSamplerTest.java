package ai.redstar.data.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.tokenizer.ChatMessage;
import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiSamplerTest {
    private static final List<ChatMessage> MESSAGES = List.of(ChatMessage.user("What is 1 + 1?"));

    private FakeChatServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeChatServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiSampler.Builder sampler() {
        return sampler(Duration.ofSeconds(5));
    }

    private OpenAiSampler.Builder sampler(Duration requestTimeout) {
        return OpenAiSampler.builder(server.baseUrl(), "teacher-7b").initialBackoff(Duration.ofMillis(1))
                .maxBackoff(Duration.ofMillis(5)).maxRetries(3).requestTimeout(requestTimeout);
    }

    @Test
    void sample_sendsSettingsAndKeepsReasoningContentAndFinishReason() {
        server.responder(r -> FakeChatServer.completion(List.of("The answer is \\boxed{2}.", "\\boxed{3}"),
                "one plus one", "length"));
        OpenAiSampler s = sampler().apiKeyEnvironmentVariable("TEACHER_KEY").environment(v -> " secret ")
                .temperature(0.6).topP(0.9).maxTokens(123).build();
        List<Sample> samples = s.sample(MESSAGES, 2, 41);
        assertEquals(2, samples.size());
        Sample first = samples.get(0);
        assertEquals("one plus one 0", first.reasoning().orElseThrow());
        assertEquals("<think>\none plus one 0\n</think>\n\nThe answer is \\boxed{2}.", first.text());
        assertEquals(FinishReason.LENGTH, first.finishReason());
        assertEquals("length", first.rawFinishReason());
        assertTrue(first.tokenCount().isEmpty(), "usage covers both choices, so no per-choice count");
        FakeChatServer.Received r = server.received().get(0);
        JsonObject body = r.body();
        assertEquals("teacher-7b", body.get("model").getAsString());
        assertEquals(2, body.get("n").getAsInt());
        assertEquals(0.6, body.get("temperature").getAsDouble());
        assertEquals(0.9, body.get("top_p").getAsDouble());
        assertEquals(123, body.get("max_tokens").getAsInt());
        assertEquals(41, body.get("seed").getAsLong());
        assertEquals("user", body.getAsJsonArray("messages").get(0).getAsJsonObject().get("role").getAsString());
        assertEquals(List.of("Bearer secret"), r.headers().get("Authorization"));
    }

    @Test
    void sample_serverIgnoringN_isAskedAgainWithTheNextSeeds() {
        server.responder(r -> FakeChatServer.completion(List.of("only one " + r.get("seed")), null, "stop"));
        List<Sample> samples = sampler().build().sample(MESSAGES, 3, 10);
        assertEquals(List.of("only one 10", "only one 11", "only one 12"),
                samples.stream().map(Sample::content).toList());
        assertEquals(17, samples.get(0).tokenCount().orElseThrow());
        assertEquals(3, server.received().size());
    }

    @Test
    void sample_choicesPerRequestOne_makesOneRequestPerSample() {
        List<Sample> samples = sampler().choicesPerRequest(1).build().sample(MESSAGES, 2, 5);
        assertEquals(2, server.received().size());
        assertEquals(1, server.received().get(1).body().get("n").getAsInt());
        assertEquals("seed 6 choice 0 \\boxed{6}", samples.get(1).content());
    }

    @Test
    void rateLimited_retryAfterMs_isRetriedAndSucceeds() {
        server.then(FakeChatServer.status(429, Map.of("retry-after-ms", "20")));
        List<Sample> samples = sampler().build().sample(MESSAGES, 1, 0);
        assertEquals(1, samples.size());
        assertEquals(2, server.received().size());
    }

    @Test
    void rateLimited_retryAfterSeconds_waitsThatLong() {
        server.then(FakeChatServer.status(429, Map.of("Retry-After", "1")));
        sampler().build().sample(MESSAGES, 1, 0);
        List<FakeChatServer.Received> r = server.received();
        assertEquals(2, r.size());
        long gapMillis = (r.get(1).nanoTime() - r.get(0).nanoTime()) / 1_000_000;
        assertTrue(gapMillis >= 950, "Retry-After: 1 must be honoured, retried after " + gapMillis + " ms");
    }

    @Test
    void serverErrors_areRetriedThenSucceed() {
        server.then(FakeChatServer.status(500, Map.of()), FakeChatServer.status(503, Map.of()));
        assertEquals(1, sampler().build().sample(MESSAGES, 1, 0).size());
        assertEquals(3, server.received().size());
    }

    @Test
    void serverErrors_pastTheRetries_failNamingStatusAndAttempts() {
        for (int i = 0; i < 4; i++) {
            server.then(FakeChatServer.status(502, Map.of()));
        }
        SamplerException e = assertThrows(SamplerException.class, () -> sampler().build().sample(MESSAGES, 1, 0));
        assertTrue(e.getMessage().contains("after 4 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 502"), e.getMessage());
        assertTrue(e.getMessage().contains("/v1/chat/completions"), e.getMessage());
        assertTrue(e.retryable());
        assertEquals(4, server.received().size());
    }

    @Test
    void slowAnswer_pastTheTimeout_isRetried() {
        server.then(FakeChatServer.slow(1500));
        List<Sample> samples = sampler(Duration.ofMillis(300)).build().sample(MESSAGES, 1, 0);
        assertEquals(1, samples.size());
        assertEquals(2, server.received().size());
    }

    @Test
    void droppedConnection_isRetried() {
        server.then(FakeChatServer.drop(), FakeChatServer.drop());
        assertEquals(1, sampler().build().sample(MESSAGES, 1, 0).size());
        assertEquals(3, server.received().size());
    }

    @Test
    void malformedJson_isRetriedAndReportedWhenItPersists() {
        server.then(FakeChatServer.malformed());
        assertEquals(1, sampler().build().sample(MESSAGES, 1, 0).size());

        for (int i = 0; i < 4; i++) {
            server.then(FakeChatServer.malformed());
        }
        SamplerException e = assertThrows(SamplerException.class, () -> sampler().build().sample(MESSAGES, 1, 0));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void unauthorized_failsAtOnceWithAHint() {
        server.then(FakeChatServer.status(401, Map.of()));
        SamplerException e = assertThrows(SamplerException.class, () -> sampler().build().sample(MESSAGES, 1, 0));
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        assertTrue(e.getMessage().contains("API key"), e.getMessage());
        assertEquals(1, server.received().size());
    }

    @Test
    void concurrency_limitsRequestsInFlightAcrossThreads() throws Exception {
        server.delay(60);
        OpenAiSampler s = sampler().concurrency(2).build();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<List<Sample>>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                long seed = i;
                futures.add(pool.submit(() -> s.sample(MESSAGES, 1, seed)));
            }
            for (Future<List<Sample>> f : futures) {
                assertEquals(1, f.get().size());
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(server.maxConcurrent() <= 2, "at most 2 in flight, saw " + server.maxConcurrent());
        assertEquals(6, server.received().size());
    }

    @Test
    void build_reportsEverySettingProblemAndAMissingKeyVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenAiSampler.builder(java.net.URI.create("ftp://x/v1"), "m").temperature(3).topP(0)
                        .concurrency(0).apiKeyEnvironmentVariable("NO_SUCH_KEY").environment(v -> null)
                        .extraBody(objectWith("n")).build());
        String m = e.getMessage();
        for (String part : List.of("baseUrl", "temperature", "topP", "concurrency", "NO_SUCH_KEY", "'n'")) {
            assertTrue(m.contains(part), part + " missing from: " + m);
        }
    }

    @Test
    void parse_orderChoicesByIndexAndReadVllmReasoningField() throws Exception {
        String body = "{\"choices\":[{\"index\":1,\"message\":{\"content\":\"b\"},\"finish_reason\":\"stop\"},"
                + "{\"index\":0,\"message\":{\"content\":null,\"reasoning\":\"r\"},\"finish_reason\":null}]}";
        List<Sample> s = OpenAiSampler.parse(body);
        assertEquals("", s.get(0).content());
        assertEquals("r", s.get(0).reasoning().orElseThrow());
        assertEquals(FinishReason.OTHER, s.get(0).finishReason());
        assertEquals("b", s.get(1).content());
    }

    private static JsonObject objectWith(String field) {
        JsonObject o = new JsonObject();
        o.addProperty(field, 1);
        return o;
    }
}
