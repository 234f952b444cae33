package ai.redstar.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.tokenizer.TestTokenizers.Style;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTokenizerTest {
    @TempDir
    Path dir;

    private ChatTokenizer load(Style style) {
        return ChatTokenizer.load(TestTokenizers.write(dir.resolve(style.name()), style));
    }

    private static String decodeSpan(ChatTokenizer tok, EncodedChat chat, EncodedChat.AssistantSpan span) {
        return tok.decode(Arrays.copyOfRange(chat.ids(), span.startToken(), span.endToken()), false);
    }

    @Test
    void encode_byteLevelBpe_roundTripsAndMapsSpecialTokens() {
        try (ChatTokenizer tok = load(Style.LLAMA3_1)) {
            String text = "the café 数的 😀 x=12<|eot_id|>\n\n  ok";
            int[] ids = tok.encode(text);
            assertEquals(text, tok.decode(ids, false));
            assertEquals("the café 数的 😀 x=12\n\n  ok", tok.decode(ids, true));
            int eot = tok.tokenToId("<|eot_id|>").getAsInt();
            assertTrue(Arrays.stream(ids).anyMatch(id -> id == eot));
            assertEquals("Ġthe".length(), tok.idToToken(tok.encode(" the")[0]).length(), "merges apply");
        }
    }

    @Test
    void encode_addsNoBosEvenWhenThePostProcessorWould() {
        try (ChatTokenizer tok = load(Style.LLAMA3_1)) {
            int bos = tok.bosTokenId().getAsInt();
            int[] ids = tok.encode("hello");
            assertFalse(Arrays.stream(ids).anyMatch(id -> id == bos));
            assertEquals("hello", tok.decode(ids, false));
        }
    }

    @Test
    void encode_longText_isNotTruncated() {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            String text = "x ".repeat(3000);
            int[] ids = tok.encode(text);
            assertTrue(ids.length >= 3000, "tokens: " + ids.length);
            assertEquals(text, tok.decode(ids, false));
        }
    }

    @Test
    void encode_unpairedSurrogate_isRejected() {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode("ab\ud83d"));
            assertTrue(e.getMessage().contains("unpaired surrogate at index 2"), e.getMessage());
        }
    }

    @Test
    void vocabulary_sizeAndLookupsMatchTokenizerJson() {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            int size = tok.vocabularySize();
            assertEquals(256 + 33 + TestTokenizers.SPECIAL_TOKENS.size(), size);
            for (int id = 0; id < size; id++) {
                assertEquals(id, tok.tokenToId(tok.idToToken(id)).getAsInt());
            }
            assertEquals("Ġ", tok.idToToken(32));
            assertTrue(tok.tokenToId("not a token").isEmpty());
            assertThrows(IllegalArgumentException.class, () -> tok.idToToken(size));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> tok.decode(new int[] {1, 2, size + 5}, false));
            assertTrue(e.getMessage().contains("position 2"), e.getMessage());
            assertEquals(TestTokenizers.SPECIAL_TOKENS.size(), tok.specialTokenIds().size());
            assertTrue(tok.isSpecial(tok.tokenToId("<|im_start|>").getAsInt()));
            assertFalse(tok.isSpecial(32));
        }
    }

    @Test
    void specialTokens_comeFromTheConfigInBothSpellings() {
        try (ChatTokenizer qwen = load(Style.QWEN2_5); ChatTokenizer deepseek = load(Style.DEEPSEEK_R1_DISTILL);
                ChatTokenizer llama = load(Style.LLAMA3_1)) {
            assertTrue(qwen.bosTokenId().isEmpty());
            assertEquals("<|im_end|>", qwen.eosToken().orElseThrow());
            assertEquals(qwen.tokenToId("<|endoftext|>"), qwen.padTokenId());
            assertTrue(qwen.endOfTurnTokenIds().contains(qwen.tokenToId("<|im_end|>").getAsInt()));
            assertEquals("<｜begin▁of▁sentence｜>", deepseek.bosToken().orElseThrow());
            assertEquals(deepseek.tokenToId("<｜end▁of▁sentence｜>"), deepseek.eosTokenId());
            assertEquals(llama.tokenToId("<|eot_id|>").getAsInt(), llama.endOfTurnTokenIds().iterator().next());
        }
    }

    @Test
    void specialTokensMap_overridesTheConfig() throws IOException {
        Path folder = TestTokenizers.write(dir.resolve("m"), Style.QWEN2_5);
        Files.writeString(folder.resolve("special_tokens_map.json"),
                "{\"eos_token\": {\"content\": \"<|endoftext|>\"}, \"pad_token\": \"<|im_end|>\"}");
        try (ChatTokenizer tok = ChatTokenizer.load(folder)) {
            assertEquals("<|endoftext|>", tok.eosToken().orElseThrow());
            assertEquals("<|im_end|>", tok.padToken().orElseThrow());
        }
    }

    @Test
    void load_specialTokenOutsideVocabulary_namesTheField() throws IOException {
        Path folder = TestTokenizers.write(dir.resolve("bad"), Style.QWEN2_5);
        JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("tokenizer_config.json")))
                .getAsJsonObject();
        config.addProperty("eos_token", "<|nope|>");
        Files.writeString(folder.resolve("tokenizer_config.json"), config.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatTokenizer.load(folder));
        assertTrue(e.getMessage().contains("eos_token '<|nope|>' is not in the vocabulary"), e.getMessage());
    }

    @Test
    void load_folderWithoutTokenizerJson_isRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatTokenizer.load(dir));
        assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());
    }

    @Test
    void closedTokenizer_refusesUse() {
        ChatTokenizer tok = load(Style.QWEN2_5);
        tok.close();
        tok.close();
        assertThrows(IllegalStateException.class, () -> tok.encode("x"));
    }

    /** applyChatTemplate gives what transformers gives (rendered.json) for the real templates. */
    @Test
    void applyChatTemplate_matchesTransformersForEveryFamily() {
        Map<String, Style> styles = Map.of("qwen2.5.jinja", Style.QWEN2_5, "llama3.1.jinja", Style.LLAMA3_1,
                "llama3.2.jinja", Style.LLAMA3_2, "deepseek_r1_distill.jinja", Style.DEEPSEEK_R1_DISTILL,
                "mistral_v0.3.jinja", Style.MISTRAL);
        Map<Style, ChatTokenizer> tokenizers = new HashMap<>();
        int checked = 0;
        try {
            for (JsonElement element : ChatTemplateReferenceTest.cases()) {
                JsonObject c = element.getAsJsonObject();
                if (!c.has("template_file") || !c.has("expected")) {
                    continue;
                }
                JsonObject variables = c.getAsJsonObject("variables");
                List<ChatMessage> messages = plainMessages(variables.getAsJsonArray("messages"));
                if (messages == null || !variables.get("tools").isJsonNull() || variables.has("builtin_tools")
                        || variables.has("tools_in_user_message")) {
                    continue;
                }
                Style style = styles.get(c.get("template_file").getAsString());
                ChatTokenizer tok = tokenizers.computeIfAbsent(style, this::load);
                Map<String, Object> extra = new HashMap<>();
                if (variables.has("date_string")) {
                    extra.put("date_string", variables.get("date_string").getAsString());
                }
                String rendered = tok.applyChatTemplate(messages,
                        variables.get("add_generation_prompt").getAsBoolean(), extra);
                assertEquals(c.get("expected").getAsString(), rendered, c.get("id").getAsString());
                checked++;
            }
        } finally {
            tokenizers.values().forEach(ChatTokenizer::close);
        }
        assertTrue(checked > 100, "checked " + checked);
    }

    private static List<ChatMessage> plainMessages(JsonArray array) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonElement e : array) {
            JsonObject m = e.getAsJsonObject();
            if (m.size() != 2 || !m.has("role") || !m.has("content")) {
                return null;
            }
            messages.add(ChatMessage.of(m.get("role").getAsString(), m.get("content").getAsString()));
        }
        return messages;
    }

    private static final List<ChatMessage> MULTI_TURN = List.of(
            ChatMessage.system("Think step by step."),
            ChatMessage.user("Compute 12 * 12."),
            ChatMessage.assistant("12 * 12 = 144.\n\nThe answer is \\boxed{144}."),
            ChatMessage.user("Now 13 * 13."),
            ChatMessage.assistant("  13 * 13 = 169 é 😀  "));

    @Test
    void encodeChat_qwen_spansCoverContentAndImEnd() {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            EncodedChat chat = tok.encodeChat(MULTI_TURN, false);
            assertEquals(tok.applyChatTemplate(MULTI_TURN, false), chat.text());
            assertArrayEquals(tok.encode(chat.text()), chat.ids());
            List<EncodedChat.AssistantSpan> spans = chat.assistantSpans();
            assertEquals(List.of(2, 4), spans.stream().map(EncodedChat.AssistantSpan::messageIndex).toList());
            assertEquals("12 * 12 = 144.\n\nThe answer is \\boxed{144}.<|im_end|>", decodeSpan(tok, chat, spans.get(0)));
            assertEquals("  13 * 13 = 169 é 😀  <|im_end|>", decodeSpan(tok, chat, spans.get(1)));
            int[] ids = chat.ids();
            assertEquals("\n", tok.decode(new int[] {ids[spans.get(0).startToken() - 1]}, false),
                    "the role header stays outside");
            assertEquals("\n", tok.decode(new int[] {ids[spans.get(0).endToken()]}, false),
                    "the newline after <|im_end|> is not learned");
            assertEquals(chat.text().substring(spans.get(1).startChar(), spans.get(1).endChar()),
                    "  13 * 13 = 169 é 😀  <|im_end|>");
        }
    }

    @Test
    void encodeChat_lossMask_marksAllOrLastAssistant() {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            EncodedChat chat = tok.encodeChat(MULTI_TURN, false);
            boolean[] all = chat.lossMask(false);
            boolean[] last = chat.lossMask(true);
            assertEquals(chat.length(), all.length);
            int spanTotal = chat.assistantSpans().stream().mapToInt(EncodedChat.AssistantSpan::length).sum();
            assertEquals(spanTotal, count(all));
            assertEquals(chat.assistantSpans().get(1).length(), count(last));
            for (int t = 0; t < all.length; t++) {
                if (last[t]) {
                    assertTrue(all[t]);
                }
            }
        }
    }

    private static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        return n;
    }

    @Test
    void encodeChat_llama_spansCoverTrimmedContentAndEotId() {
        for (Style style : List.of(Style.LLAMA3_1, Style.LLAMA3_2)) {
            try (ChatTokenizer tok = load(style)) {
                EncodedChat chat = tok.encodeChat(MULTI_TURN, true, Map.of("date_string", "26 Jul 2024"));
                List<EncodedChat.AssistantSpan> spans = chat.assistantSpans();
                assertEquals("12 * 12 = 144.\n\nThe answer is \\boxed{144}.<|eot_id|>",
                        decodeSpan(tok, chat, spans.get(0)));
                assertEquals("13 * 13 = 169 é 😀<|eot_id|>", decodeSpan(tok, chat, spans.get(1)));
                assertTrue(chat.text().startsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>"));
                assertTrue(chat.text().endsWith("<|start_header_id|>assistant<|end_header_id|>\n\n"));
                assertEquals(tok.bosTokenId().getAsInt(), chat.ids()[0], "BOS comes from the template, once");
                assertFalse(tok.bosTokenId().getAsInt() == chat.ids()[1]);
            }
        }
    }

    @Test
    void encodeChat_deepseek_learnsTheAnswerAfterThinking_asTheTemplateRendersIt() {
        try (ChatTokenizer tok = load(Style.DEEPSEEK_R1_DISTILL)) {
            List<ChatMessage> conversation = List.of(ChatMessage.user("Is 91 prime?"),
                    ChatMessage.assistant("<think>\n91 = 7 * 13.\n</think>\n\nNo, 91 = 7 × 13."));
            EncodedChat chat = tok.encodeChat(conversation, false);
            assertEquals("\n\nNo, 91 = 7 × 13.<｜end▁of▁sentence｜>",
                    decodeSpan(tok, chat, chat.assistantSpans().get(0)));
        }
    }

    @Test
    void encodeChat_mistral_spanStartsWithTheSpaceTheModelGenerates() {
        try (ChatTokenizer tok = load(Style.MISTRAL)) {
            List<ChatMessage> conversation = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello there"),
                    ChatMessage.user("Bye"), ChatMessage.assistant("Bye!"));
            EncodedChat chat = tok.encodeChat(conversation, false);
            assertEquals(" Hello there</s>", decodeSpan(tok, chat, chat.assistantSpans().get(0)));
            assertEquals(" Bye!</s>", decodeSpan(tok, chat, chat.assistantSpans().get(1)));
        }
    }

    @Test
    void encodeChat_tokenStraddlingTheSpanStart_belongsToTheSpan() {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            // "assistant\n" + "\nanswer": the pre-tokenizer keeps "\n\n" together, one token across the boundary
            EncodedChat chat = tok.encodeChat(List.of(ChatMessage.user("q"), ChatMessage.assistant("\nanswer")),
                    false);
            EncodedChat.AssistantSpan span = chat.assistantSpans().get(0);
            assertEquals("\n\nanswer<|im_end|>", decodeSpan(tok, chat, span));
            int contentStart = chat.text().lastIndexOf("\nanswer");
            assertEquals(contentStart - 1, span.startChar(), "the span reaches back over the header's newline");
        }
    }

    @Test
    void encodeChat_emptyAssistantMessage_learnsOnlyTheEndOfTurn() {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            EncodedChat chat = tok.encodeChat(List.of(ChatMessage.user("q"), ChatMessage.assistant("")), false);
            assertEquals("<|im_end|>", decodeSpan(tok, chat, chat.assistantSpans().get(0)));
        }
    }

    @Test
    void encodeChat_noAssistantMessage_hasNoSpans() {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            EncodedChat chat = tok.encodeChat(List.of(ChatMessage.user("q")), true);
            assertTrue(chat.assistantSpans().isEmpty());
            assertEquals(0, count(chat.lossMask(false)));
            assertEquals(0, count(chat.lossMask(true)));
        }
    }

    private Path withTemplate(String name, String template) throws IOException {
        Path folder = TestTokenizers.write(dir.resolve(name), Style.QWEN2_5);
        JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("tokenizer_config.json")))
                .getAsJsonObject();
        config.addProperty("chat_template", template);
        Files.writeString(folder.resolve("tokenizer_config.json"), config.toString(), StandardCharsets.UTF_8);
        return folder;
    }

    @Test
    void encodeChat_generationMarkers_defineTheSpans() throws IOException {
        String template = "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' }}{% if m.role == 'assistant' %}"
                + "{% generation %}{{ m.content + '<|im_end|>' }}{% endgeneration %}{% else %}"
                + "{{ m.content + '<|im_end|>' }}{% endif %}{{ '\\n' }}{% endfor %}";
        try (ChatTokenizer tok = ChatTokenizer.load(withTemplate("gen", template))) {
            EncodedChat chat = tok.encodeChat(List.of(ChatMessage.user("q"), ChatMessage.assistant("a b"),
                    ChatMessage.user("q2"), ChatMessage.assistant("c")), false);
            assertEquals("a b<|im_end|>", decodeSpan(tok, chat, chat.assistantSpans().get(0)));
            assertEquals("c<|im_end|>", decodeSpan(tok, chat, chat.assistantSpans().get(1)));
        }
    }

    @Test
    void encodeChat_templateThatRewritesPastTurns_isRejectedNotGuessed() throws IOException {
        String template = "{% for m in messages %}{% if m.role == 'assistant' and not loop.last %}"
                + "{{ m.content.split('</think>')[-1] }}{% else %}{{ m.content }}{% endif %}<|im_end|>{% endfor %}"
                + "{% if add_generation_prompt %}<think>{% endif %}";
        try (ChatTokenizer tok = ChatTokenizer.load(withTemplate("rewrite", template))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> tok.encodeChat(List.of(ChatMessage.user("q"), ChatMessage.assistant("<think>r</think>a"),
                            ChatMessage.user("q2"), ChatMessage.assistant("b")), false));
            assertTrue(e.getMessage().contains("cannot locate assistant message 1"), e.getMessage());
        }
    }

    @Test
    void templateTheRendererCannotParse_failsTheChatMethodsOnly() throws IOException {
        try (ChatTokenizer tok = ChatTokenizer.load(withTemplate("macro",
                "{% macro m(x) %}{{ x }}{% endmacro %}{{ m(1) }}"))) {
            assertEquals("hi", tok.decode(tok.encode("hi"), false));
            assertTrue(tok.chatTemplate().isEmpty());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> tok.applyChatTemplate(List.of(ChatMessage.user("x")), true));
            assertTrue(e.getMessage().contains("'macro' tag is not supported") && e.getMessage().contains("line 1"),
                    e.getMessage());
        }
    }

    @Test
    void missingTemplate_isMisuse() throws IOException {
        Path folder = TestTokenizers.write(dir.resolve("none"), Style.QWEN2_5);
        JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("tokenizer_config.json")))
                .getAsJsonObject();
        config.remove("chat_template");
        Files.writeString(folder.resolve("tokenizer_config.json"), config.toString());
        try (ChatTokenizer tok = ChatTokenizer.load(folder)) {
            assertThrows(IllegalStateException.class, () -> tok.applyChatTemplate(List.of(ChatMessage.user("x")), true));
        }
        Files.writeString(folder.resolve("chat_template.jinja"), "{% for m in messages %}[{{ m.content }}]{% endfor %}\n");
        try (ChatTokenizer tok = ChatTokenizer.load(folder)) {
            assertEquals("[x]", tok.applyChatTemplate(List.of(ChatMessage.user("x")), true));
        }
    }

    @Test
    void templateList_usesDefault_andKeepsNamedOnes() throws IOException {
        Path folder = TestTokenizers.write(dir.resolve("list"), Style.QWEN2_5);
        JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("tokenizer_config.json")))
                .getAsJsonObject();
        JsonArray list = new JsonArray();
        JsonObject def = new JsonObject();
        def.addProperty("name", "default");
        def.addProperty("template", "D{{ messages | length }}");
        JsonObject tools = new JsonObject();
        tools.addProperty("name", "tool_use");
        tools.addProperty("template", "T");
        list.add(def);
        list.add(tools);
        config.add("chat_template", list);
        Files.writeString(folder.resolve("tokenizer_config.json"), config.toString());
        try (ChatTokenizer tok = ChatTokenizer.load(folder)) {
            assertEquals("D1", tok.applyChatTemplate(List.of(ChatMessage.user("x")), false));
            assertEquals("T", tok.chatTemplate("tool_use").orElseThrow().render(Map.of()));
        }
    }

    @Test
    void reservedVariables_cannotBeOverridden() {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            assertThrows(IllegalArgumentException.class, () -> tok.applyChatTemplate(List.of(ChatMessage.user("x")),
                    true, Map.of("messages", List.of())));
        }
    }

    @Test
    void concurrentEncoding_givesTheSameIdsAsSequential() throws Exception {
        try (ChatTokenizer tok = load(Style.QWEN2_5)) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                texts.add("text " + i + " the café 数 " + "x".repeat(i));
            }
            List<int[]> expected = texts.stream().map(tok::encode).toList();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<int[]>> futures = new ArrayList<>();
                for (int round = 0; round < 4; round++) {
                    for (String text : texts) {
                        futures.add(pool.submit(() -> tok.encode(text)));
                    }
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertArrayEquals(expected.get(i % texts.size()), futures.get(i).get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
