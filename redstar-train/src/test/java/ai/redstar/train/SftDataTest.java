package ai.redstar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.EncodedChat;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftDataTest {
    @TempDir
    Path dir;

    private ChatTokenizer tokenizer;

    @BeforeEach
    void loadTokenizer() {
        tokenizer = TinySft.tokenizer(dir);
    }

    @AfterEach
    void closeTokenizer() {
        tokenizer.close();
    }

    @Test
    void fromJsonl_messages_learnsTheAssistantTokensOfTheChatTemplate() {
        Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(TinySft.chat("2+2=?", "4"),
                TinySft.chat("spell cat", "c a t")));
        SftData data = SftData.fromJsonl(file, tokenizer);
        assertEquals(2, data.size());
        EncodedChat expected = tokenizer.encodeChat(List.of(ChatMessage.user("spell cat"),
                ChatMessage.assistant("c a t")), false);
        TokenizedExample example = data.example(1);
        assertArrayEquals(expected.ids(), example.tokenIds());
        assertArrayEquals(expected.lossMask(false), example.lossMask());
        // "c a t" + <|im_end|>: six learned tokens
        assertEquals(6, example.lossTokens());
        assertEquals(file + " line 2", data.describe(1));
    }

    @Test
    void fromJsonl_promptCompletionStrings_areAUserAndAnAssistantMessage() {
        JsonObject o = new JsonObject();
        o.addProperty("prompt", "2+2=?");
        o.addProperty("completion", "4");
        Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(o.toString(), TinySft.chat("2+2=?", "4")));
        SftData data = SftData.fromJsonl(file, tokenizer);
        assertEquals(data.example(1), data.example(0));
    }

    @Test
    void fromJsonl_promptCompletionLists_learnOnlyTheCompletion() {
        JsonObject o = new JsonObject();
        JsonArray prompt = new JsonArray();
        prompt.add(TinySft.message("user", "1+1=?"));
        prompt.add(TinySft.message("assistant", "2"));
        prompt.add(TinySft.message("user", "2+2=?"));
        JsonArray completion = new JsonArray();
        completion.add(TinySft.message("assistant", "4"));
        o.add("prompt", prompt);
        o.add("completion", completion);
        Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(o.toString()));
        TokenizedExample example = SftData.fromJsonl(file, tokenizer).example(0);
        EncodedChat all = tokenizer.encodeChat(List.of(ChatMessage.user("1+1=?"), ChatMessage.assistant("2"),
                ChatMessage.user("2+2=?"), ChatMessage.assistant("4")), false);
        assertArrayEquals(all.ids(), example.tokenIds());
        assertArrayEquals(all.lossMask(true), example.lossMask());
        assertEquals(2, example.lossTokens());
    }

    @Test
    void assistantLossLastTurn_learnsOnlyTheLastAssistantMessage() {
        JsonObject o = new JsonObject();
        JsonArray messages = new JsonArray();
        messages.add(TinySft.message("system", "be brief"));
        messages.add(TinySft.message("user", "1+1=?"));
        messages.add(TinySft.message("assistant", "2"));
        messages.add(TinySft.message("user", "and 2+2?"));
        messages.add(TinySft.message("assistant", "4."));
        o.add("messages", messages);
        Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(o.toString()));
        TokenizedExample all = SftData.fromJsonl(file, tokenizer).example(0);
        TokenizedExample last = SftData.builder(file, tokenizer).assistantLoss(AssistantLoss.LAST_TURN).build()
                .example(0);
        assertEquals(2 + 3, all.lossTokens());
        assertEquals(3, last.lossTokens());
    }

    @Test
    void fromJsonl_malformedLines_failNamingFileLineAndField() {
        assertProblem(List.of(TinySft.chat("a", "b"), "{\"messages\": [", TinySft.chat("c", "d")),
                "d.jsonl line 2: malformed JSON");
        assertProblem(List.of(TinySft.chat("a", "b"), "", "{\"messages\": [{\"content\": \"x\"},"
                + " {\"role\": \"assistant\", \"content\": \"y\"}]}"), "d.jsonl line 3: field 'messages[0].role' is"
                + " missing");
        assertProblem(List.of("{\"messages\": [{\"role\": \"user\", \"content\": 5}]}"),
                "line 1: field 'messages[0].content' must be a string, found number 5");
        assertProblem(List.of("{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}"),
                "line 1: field 'messages[0].role': unknown message role 'robot'");
        assertProblem(List.of("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"),
                "line 1: field 'messages' has no assistant message");
        assertProblem(List.of("{\"prompt\": \"x\"}"), "line 1: field 'completion' is missing");
        assertProblem(List.of("{\"text\": \"x\"}"), "line 1: has neither 'messages' nor 'prompt' and 'completion'");
        assertProblem(List.of("{\"prompt\": \"x\", \"completion\": 3}"),
                "line 1: field 'completion' must be a string or a list of messages, found number 3");
        assertProblem(List.of("{\"messages\": [], \"prompt\": \"x\"}"), "line 1: has both 'messages' and 'prompt'");
    }

    private void assertProblem(List<String> lines, String expected) {
        Path file = TinySft.write(dir.resolve("d.jsonl"), lines);
        JsonlException e = assertThrows(JsonlException.class, () -> SftData.fromJsonl(file, tokenizer));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void fromJsonl_skipPolicy_skipsAndCountsBadLines() {
        Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(TinySft.chat("a", "b"), "{oops",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", TinySft.chat("c", "d")));
        SftData data = SftData.builder(file, tokenizer).malformedLines(MalformedLinePolicy.SKIP).build();
        assertEquals(2, data.size());
        assertEquals(2, data.skippedLines());
        assertEquals(file + " line 4", data.describe(1));
        assertEquals(tokenizer.encodeChat(List.of(ChatMessage.user("c"), ChatMessage.assistant("d")), false).length(),
                data.example(1).length());
    }

    @Test
    void fromJsonl_byteOrderMarkBlankLinesAndCrlf_readBackTheRightRecords() throws IOException {
        String text = "\uFEFF" + TinySft.chat("a", "b") + "\r\n\r\n   \n" + TinySft.chat("cc", "dd") + "\r\n";
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        SftData data = SftData.fromJsonl(file, tokenizer);
        assertEquals(2, data.size());
        assertEquals(tokenizer.encodeChat(List.of(ChatMessage.user("cc"), ChatMessage.assistant("dd")), false)
                .length(), data.example(1).length());
        assertEquals(file + " line 4", data.describe(1));
    }

    @Test
    void example_fileChangedAfterIndexing_fails() throws IOException {
        Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(TinySft.chat("a", "b")));
        SftData data = SftData.fromJsonl(file, tokenizer);
        Files.writeString(file, TinySft.chat("a", "bbbb") + "\n", StandardCharsets.UTF_8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> data.example(0));
        assertTrue(e.getMessage().contains("changed since it was indexed"), e.getMessage());
    }

    @Test
    void fingerprint_followsContentNotPath() throws IOException {
        Path a = TinySft.write(dir.resolve("a.jsonl"), List.of(TinySft.chat("a", "b")));
        Path b = Files.copy(a, dir.resolve("b.jsonl"));
        Path c = TinySft.write(dir.resolve("c.jsonl"), List.of(TinySft.chat("a", "c")));
        String fa = SftData.fromJsonl(a, tokenizer).fingerprint();
        assertEquals(fa, SftData.fromJsonl(b, tokenizer).fingerprint());
        assertNotEquals(fa, SftData.fromJsonl(c, tokenizer).fingerprint());
        assertNotEquals(fa, SftData.builder(a, tokenizer).assistantLoss(AssistantLoss.LAST_TURN).build()
                .fingerprint());
    }

    @Test
    void fromJsonl_noValidRecord_fails() {
        Path file = TinySft.write(dir.resolve("d.jsonl"), List.of("{oops"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SftData.builder(file, tokenizer).malformedLines(MalformedLinePolicy.SKIP).build());
        assertTrue(e.getMessage().contains("holds no valid record (1 lines skipped)"), e.getMessage());
    }

    @Test
    void fromJsonl_tokenizerWithoutChatTemplate_failsNamingIt() throws IOException {
        Path folder = dir.resolve("plain");
        ai.redstar.core.tokenizer.TokenizerFiles.writeCharLevel(folder, TinySft.ALPHABET, List.of());
        Path config = folder.resolve("tokenizer_config.json");
        JsonObject json = com.google.gson.JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        json.remove("chat_template");
        Files.writeString(config, json.toString());
        Path file = TinySft.write(dir.resolve("d.jsonl"), List.of(TinySft.chat("a", "b")));
        try (ChatTokenizer plain = ChatTokenizer.load(folder)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SftData.fromJsonl(file, plain));
            assertTrue(e.getMessage().startsWith("the tokenizer in " + folder + " cannot render conversations"),
                    e.getMessage());
        }
    }

    @Test
    void of_examplesAreKeptAsGiven() {
        TokenizedExample e = new TokenizedExample(new int[] {1, 2, 3}, new boolean[] {false, false, true});
        SftData data = SftData.of(List.of(e));
        assertEquals(e, data.example(0));
        assertEquals("example 0", data.describe(0));
        assertEquals(1, e.lossTokens());
    }
}
