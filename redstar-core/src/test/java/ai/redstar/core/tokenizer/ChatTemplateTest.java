package ai.redstar.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static String render(String template, Map<String, ?> variables) {
        return ChatTemplate.parse(template).render(variables);
    }

    @Test
    void parse_syntaxError_namesLineColumnAndConstruct() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.parse("line one\n{% for m in messages %}\n  {{ m.content + }}\n{% endfor %}"));
        assertTrue(e.getMessage().startsWith("chat template syntax error at line 3, column 18: unexpected '}}'"), e.getMessage());
        assertTrue(e.getMessage().contains("{{ m.content + }}"), e.getMessage());
    }

    @Test
    void parse_unsupportedTag_isNamedNotIgnored() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.parse("{% include 'other.jinja' %}"));
        assertTrue(e.getMessage().contains("'include' tag is not supported"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.parse("{% if x %}open"));
        assertTrue(e.getMessage().contains("needs 'elif' or 'else' or 'endif'"), e.getMessage());
    }

    @Test
    void unknownFilter_failsAtParse_exceptInsideConditionals() {
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.parse("{{ x | shout }}"));
        ChatTemplate t = ChatTemplate.parse("{% if x is defined %}{{ x | shout }}{% endif %}ok");
        assertEquals("ok", t.render(Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("x", 1)));
        assertTrue(e.getMessage().contains("no filter named 'shout'"), e.getMessage());
    }

    @Test
    void render_raiseException_carriesTheTemplatesMessageAndPosition() {
        ChatTemplate t = ChatTemplate.parse("{% if messages[0].role != 'user' %}\n"
                + "  {{ raise_exception('first message must be from the user') }}\n{% endif %}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(Map.of("messages", List.of(ChatMessage.assistant("hi")))));
        assertEquals("chat template raised an error at line 2, column 6: first message must be from the user",
                e.getMessage());
    }

    @Test
    void render_pythonFailure_namesPositionAndExpression() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> render("{{ 'n = ' + n }}", Map.of("n", 3)));
        assertEquals("chat template failed at line 1, column 11: can only concatenate str (not \"int\") to str "
                + "(in: {{ 'n = ' + n }})", e.getMessage());
    }

    @Test
    void render_endlessLoops_stopAtTheStepLimit() {
        ChatTemplate t = ChatTemplate.parse("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
                + "{% endfor %}", 1_000_000, 1_000_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(Map.of(), LocalDateTime.now()));
        assertTrue(e.getMessage().contains("more than 1000000 steps"), e.getMessage());
    }

    @Test
    void render_hugeOutput_stopsAtTheOutputLimit() {
        ChatTemplate t = ChatTemplate.parse("{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}", 10_000_000,
                100_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(Map.of(), LocalDateTime.now()));
        assertTrue(e.getMessage().contains("exceeds 100000 characters"), e.getMessage());
        ChatTemplate big = ChatTemplate.parse("{{ 'x' * 10 ** 9 }}", 1000, 100_000);
        assertThrows(IllegalArgumentException.class, () -> big.render(Map.of(), LocalDateTime.now()));
    }

    @Test
    void parse_deepNesting_isAnIllegalArgumentNotAStackOverflow() {
        String deep = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.parse(deep));
        String deepIfs = "{% if true %}".repeat(1000) + "{% endif %}".repeat(1000);
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.parse(deepIfs));
    }

    @Test
    void strftimeNow_formatsTheRenderClockInEnglish() {
        ChatTemplate t = ChatTemplate.parse("{{ strftime_now('%d %b %Y, %A %H:%M:%S %p %%') }}");
        assertEquals("05 Mar 2025, Wednesday 14:07:09 PM %",
                t.render(Map.of(), LocalDateTime.of(2025, 3, 5, 14, 7, 9)).text());
    }

    @Test
    void llama32Template_usesStrftimeNow_whenNoDateIsGiven() {
        ChatTemplate t = ChatTemplate.parse(ChatTemplateReferenceTest.resource("templates/llama3.2.jinja"));
        String text = t.render(ChatTemplate.convert(Map.of("messages", List.of(ChatMessage.user("hi")),
                "add_generation_prompt", true, "bos_token", "<|begin_of_text|>")),
                LocalDateTime.of(2025, 1, 2, 0, 0)).text();
        assertTrue(text.contains("Today Date: 02 Jan 2025\n\n"), text);
    }

    @Test
    void render_javaValues_areConvertedLikePython() {
        Map<String, Object> vars = Map.of(
                "tools", JsonParser.parseString("[{\"name\": \"f\", \"n\": 1, \"x\": 1.5, \"b\": true, \"z\": null}]"),
                "items", List.of(1, 2L, 3.0f, "s", Map.of("k", List.of())),
                "message", ChatMessage.tool("out"));
        assertEquals("[{\"name\": \"f\", \"n\": 1, \"x\": 1.5, \"b\": true, \"z\": null}]|[1, 2, 3.0, 's', {'k': []}]"
                + "|tool:out", render("{{ tools | tojson }}|{{ items }}|{{ message.role }}:{{ message['content'] }}",
                        vars));
        assertThrows(IllegalArgumentException.class, () -> render("{{ x }}", Map.of("x", new Object())));
    }

    @Test
    void render_valuesPassedIn_cannotBeModifiedByTheTemplate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> render("{{ xs.append(4) }}", Map.of("xs", List.of(1, 2, 3))));
        assertTrue(e.getMessage().contains("unsafe"), e.getMessage());
    }

    @Test
    void chatMessage_roles_useTheDataFileSpelling() {
        assertEquals(ChatMessage.Role.ASSISTANT, ChatMessage.of("assistant", "x").role());
        assertEquals("tool", ChatMessage.Role.TOOL.wireName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatMessage.of("bot", "x"));
        assertEquals("unknown message role 'bot'; expected one of system, user, assistant, tool", e.getMessage());
        assertThrows(NullPointerException.class, () -> ChatMessage.user(null));
    }
}
