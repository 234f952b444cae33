package ai.redstar.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFilesTest {
    @TempDir
    Path dir;

    private static final String DIGITS = "0123456789+-*= ";

    @Test
    void writeCharLevel_loadsInDjl_andEveryCharacterIsOneToken() {
        Path folder = TokenizerFiles.writeCharLevel(dir.resolve("t"), DIGITS, List.of("<|endoftext|>", "<think>"));
        try (ChatTokenizer tok = ChatTokenizer.load(folder)) {
            String text = "12+34 = 46";
            int[] ids = tok.encode(text);
            assertEquals(text.length(), ids.length);
            assertEquals(text, tok.decode(ids, false));
            for (int i = 0; i < text.length(); i++) {
                assertEquals(String.valueOf(text.charAt(i)), tok.idToToken(ids[i]));
            }
            assertEquals(0, tok.tokenToId("<|endoftext|>").getAsInt());
            assertEquals(1, tok.tokenToId("<think>").getAsInt());
            assertEquals(List.of(2, 3, 4), List.of(tok.tokenToId("<|im_start|>").getAsInt(),
                    tok.tokenToId("<|im_end|>").getAsInt(), tok.tokenToId("<unk>").getAsInt()));
            assertEquals(5, tok.tokenToId("0").getAsInt(), "alphabet follows the special tokens");
            assertEquals(tok.tokenToId("<|im_end|>"), tok.eosTokenId());
            assertEquals(tok.tokenToId("<|endoftext|>"), tok.padTokenId());
            assertTrue(tok.bosTokenId().isEmpty());
        }
    }

    @Test
    void writeCharLevel_roundTripsAnyTextOverTheAlphabet_andMarksUnknownCharacters() {
        Path folder = TokenizerFiles.writeCharLevel(dir.resolve("t"), "abcé😀 \n", List.of());
        try (ChatTokenizer tok = ChatTokenizer.load(folder)) {
            int[] ids = tok.encode("a😀é\n\nc b");
            assertEquals("a😀é\n\nc b", tok.decode(ids, false));
            assertEquals(8, ids.length);
            int[] unknown = tok.encode("aZ");
            assertEquals(tok.tokenToId("<unk>").getAsInt(), unknown[1]);
        }
    }

    @Test
    void writeCharLevel_chatmlConversation_encodesWithExactAssistantSpans() {
        Path folder = TokenizerFiles.writeCharLevel(dir.resolve("t"), DIGITS, List.of("<|endoftext|>"));
        try (ChatTokenizer tok = ChatTokenizer.load(folder)) {
            List<ChatMessage> chat = List.of(ChatMessage.user("2+2"), ChatMessage.assistant("4"));
            EncodedChat encoded = tok.encodeChat(chat, false);
            assertEquals("<|im_start|>user\n2+2<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n", encoded.text());
            assertTrue(Arrays.stream(encoded.ids()).noneMatch(id -> id == tok.tokenToId("<unk>").getAsInt()),
                    "the scaffolding characters are in the vocabulary");
            EncodedChat.AssistantSpan span = encoded.assistantSpans().get(0);
            assertEquals("4<|im_end|>", tok.decode(Arrays.copyOfRange(encoded.ids(), span.startToken(),
                    span.endToken()), false));
            assertArrayEquals(tok.encode(encoded.text()), encoded.ids());
        }
    }

    @Test
    void writeCharLevel_rejectsRepeatedCharactersAndBadSpecialTokens() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenizerFiles.writeCharLevel(dir.resolve("x"), "abca", List.of("x", "<s>", "<s>")));
        assertTrue(e.getMessage().contains("'a' twice (at index 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("special token 'x' must have at least two characters"), e.getMessage());
        assertTrue(e.getMessage().contains("special token '<s>' is given twice"), e.getMessage());
    }

    @Test
    void writePhraseLevel_phrasesAreOneToken_longestFirst_andTextRoundTrips() {
        List<String> phrases = List.of("The answer is ", "\\boxed{", "answer", "In the figure, what (x)?\n");
        Path folder = TokenizerFiles.writePhraseLevel(dir.resolve("t"), "abcdefghijklmnopqrstuvwxyzTI ,.(){}?\\\n",
                phrases, List.of("<|endoftext|>", "<image>"));
        try (ChatTokenizer tok = ChatTokenizer.load(folder)) {
            String text = "<image>In the figure, what (x)?\nThe answer is \\boxed{b}. answers";
            int[] ids = tok.encode(text);
            assertEquals(text, tok.decode(ids, false));
            assertEquals(List.of("<image>", "In the figure, what (x)?\n", "The answer is ", "\\boxed{", "b", "}", ".",
                    " ", "answer", "s"), Arrays.stream(ids).mapToObj(tok::idToToken).toList());
            assertEquals(5, tok.tokenToId("The answer is ").getAsInt(), "phrases follow the special tokens");
        }
    }

    @Test
    void writePhraseLevel_badPhrases_areAllNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenizerFiles
                .writePhraseLevel(dir.resolve("t"), "ab", List.of("x", "ab", "ab", "<|im_end|>"), List.of()));
        assertTrue(e.getMessage().contains("'x' must have at least two characters"), e.getMessage());
        assertTrue(e.getMessage().contains("'ab' is given twice"), e.getMessage());
        assertTrue(e.getMessage().contains("'<|im_end|>' is also a special token"), e.getMessage());
    }
}
