package ai.redstar.examples.mini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.data.problem.PromptTemplate;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskTokenizerTest {

    @Test
    void encodeDecode_everyTraceAndPrompt_roundTripsWithDigitsAsSingleTokens(@TempDir Path dir) {
        AdditionTeacher teacher = AdditionTeacher.standard();
        try (ChatTokenizer tok = ChatTokenizer.load(TaskTokenizer.write(dir.resolve("tok")))) {
            int unk = tok.tokenToId("<unk>").orElseThrow();
            int longest = 0;
            for (MiniProblem p : AdditionTask.builder().seed(9).build().generate(25)) {
                List<ChatMessage> prompt = PromptTemplate.standard().messages(p.toProblem(1));
                for (int s = 0; s < 4; s++) {
                    String trace = teacher.trace(p.left(), p.right(), 1, s).text();
                    List<ChatMessage> chat = new java.util.ArrayList<>(prompt);
                    chat.add(ChatMessage.assistant(trace));
                    String text = tok.applyChatTemplate(chat, false);
                    int[] ids = tok.encode(text);
                    assertEquals(text, tok.decode(ids, false));
                    for (int id : ids) {
                        assertTrue(id != unk, "unknown token in " + text);
                    }
                    longest = Math.max(longest, ids.length);
                    // the teacher's phrases are whole tokens: a conversation is far shorter in tokens than in characters
                    assertTrue(3 * ids.length < text.length(), ids.length + " tokens for " + text.length() + " chars");
                }
            }
            assertTrue(longest < 200, "longest (level-4) conversation " + longest + " tokens");
            for (char d = '0'; d <= '9'; d++) {
                assertEquals(1, tok.encode(String.valueOf(d)).length);
            }
            assertEquals(1, tok.encode(", carry ").length);
            assertEquals(3, tok.encode("\\boxed{7}").length);
        }
    }

    @Test
    void chatTemplate_rendersChatMl_endOfTurnIsImEnd(@TempDir Path dir) {
        try (ChatTokenizer tok = ChatTokenizer.load(TaskTokenizer.write(dir))) {
            String text = tok.applyChatTemplate(List.of(ChatMessage.user("Compute 12 + 34.")), true);
            assertEquals("<|im_start|>user\nCompute 12 + 34.<|im_end|>\n<|im_start|>assistant\n", text);
            int imEnd = tok.tokenToId("<|im_end|>").orElseThrow();
            assertEquals(imEnd, tok.eosTokenId().orElseThrow());
            assertTrue(tok.endOfTurnTokenIds().contains(imEnd));
            assertEquals(tok.tokenToId("<|endoftext|>").orElseThrow(), tok.padTokenId().orElseThrow());
            assertEquals("Compute 12 + 34.", tok.decode(tok.encode("<|im_start|>Compute 12 + 34.<|im_end|>"), true));
            assertFalse(tok.encode("é").length == 0);
        }
    }

    @Test
    void write_repeatedOrShortPhrase_rejected(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskTokenizer.write(dir, List.of("ab", "ab", "x", "<|im_end|>")));
        assertTrue(e.getMessage().contains("'ab' is given twice")
                && e.getMessage().contains("'x' must have at least two characters")
                && e.getMessage().contains("'<|im_end|>' is also a special token"), e.getMessage());
    }
}
