package ai.redstar.data.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.generate.SamplingParams;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSamplerTest {
    @TempDir
    Path dir;

    @Test
    void sample_isSeededAndRestoresTheOpenedThinkTag() {
        try (ChatTokenizer tokenizer = ChatTokenizer.load(TinyTeacher.writeTokenizer(dir.resolve("tiny")));
                CausalLm model = TinyTeacher.model(3)) {
            LocalSampler teacher = LocalSampler.builder(tokenizer, model,
                    SamplingParams.builder(6).temperature(1.0).build()).build();
            assertEquals("tiny", teacher.teacher());
            List<ChatMessage> messages = List.of(ChatMessage.user("1+1?"));
            List<Sample> a = teacher.sample(messages, 3, 11);
            List<Sample> b = teacher.sample(messages, 3, 11);
            List<Sample> c = teacher.sample(messages, 3, 12);
            assertEquals(3, a.size());
            for (Sample s : a) {
                assertTrue(s.content().startsWith("<think>\n"), s.content());
                int tokens = s.tokenCount().orElseThrow();
                assertTrue(tokens >= 1 && tokens <= 6, "tokens " + tokens);
                assertEquals(s.rawFinishReason().equals("LENGTH") ? FinishReason.LENGTH : FinishReason.STOP,
                        s.finishReason());
                assertTrue(s.finishReason() == FinishReason.STOP || tokens == 6, "cut at the limit only");
            }
            assertEquals(a.stream().map(Sample::content).toList(), b.stream().map(Sample::content).toList());
            assertNotEquals(a.stream().map(Sample::content).toList(), c.stream().map(Sample::content).toList());
        }
    }

    @Test
    void build_rejectsBadSettings() {
        try (ChatTokenizer tokenizer = ChatTokenizer.load(TinyTeacher.writeTokenizer(dir.resolve("t2")));
                CausalLm model = TinyTeacher.model(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LocalSampler.builder(tokenizer, model, SamplingParams.greedy(4)).concurrency(0)
                            .teacher(" ").build());
            assertTrue(e.getMessage().contains("concurrency") && e.getMessage().contains("teacher"), e.getMessage());
        }
    }
}
