package ai.redstar.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.tokenizer.ChatMessage;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Records from untrusted files: parsing either gives a conversation with something to learn or names the problem. */
class ConversationsPropertiesTest {
    private static final List<String> KEYS = List.of("messages", "prompt", "completion", "role", "content", "x");
    private static final List<String> ROLES = List.of("user", "assistant", "system", "tool", "robot", "");

    @Property(tries = 500)
    void of_anyRecord_returnsALearnableConversationOrThrowsJsonlException(@ForAll("records") JsonObject json) {
        JsonlRecord record = new JsonlRecord(Path.of("t.jsonl"), 3, json);
        try {
            Conversations.Conversation c = Conversations.of(record);
            boolean assistant = false;
            for (int i = c.firstLearned(); i < c.messages().size(); i++) {
                assistant |= c.messages().get(i).role() == ChatMessage.Role.ASSISTANT;
            }
            assertTrue(assistant, json.toString());
        } catch (JsonlException e) {
            assertTrue(e.getMessage().startsWith("t.jsonl line 3: "), e.getMessage());
        }
    }

    @Provide
    Arbitrary<JsonObject> records() {
        return Arbitraries.lazyOf(this::object, this::chatLike).map(e -> (JsonObject) e);
    }

    private Arbitrary<JsonElement> chatLike() {
        Arbitrary<JsonElement> message = Arbitraries.of(ROLES).flatMap(role -> text().map(content -> {
            JsonObject m = new JsonObject();
            m.addProperty("role", role);
            m.add("content", content);
            return m;
        }));
        Arbitrary<JsonElement> list = message.list().ofMaxSize(4).map(items -> {
            JsonArray a = new JsonArray();
            items.forEach(a::add);
            return a;
        });
        Arbitrary<JsonElement> part = Arbitraries.oneOf(list, text());
        return Arbitraries.oneOf(
                list.map(l -> {
                    JsonObject o = new JsonObject();
                    o.add("messages", l);
                    return o;
                }),
                part.flatMap(p -> part.map(c -> {
                    JsonObject o = new JsonObject();
                    o.add("prompt", p);
                    o.add("completion", c);
                    return o;
                })));
    }

    private Arbitrary<JsonElement> object() {
        return Arbitraries.maps(Arbitraries.of(KEYS), value(2)).ofMaxSize(4).map(map -> {
            JsonObject o = new JsonObject();
            map.forEach(o::add);
            return o;
        });
    }

    private Arbitrary<JsonElement> value(int depth) {
        Arbitrary<JsonElement> leaf = Arbitraries.oneOf(text(), Arbitraries.integers().map(JsonPrimitive::new),
                Arbitraries.of(true, false).map(JsonPrimitive::new), Arbitraries.just(JsonNull.INSTANCE),
                Arbitraries.of(ROLES).map(JsonPrimitive::new));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonElement> array = value(depth - 1).list().ofMaxSize(3).map(items -> {
            JsonArray a = new JsonArray();
            items.forEach(a::add);
            return a;
        });
        Arbitrary<JsonElement> object = Arbitraries.maps(Arbitraries.of(KEYS), value(depth - 1)).ofMaxSize(3)
                .map(map -> {
                    JsonObject o = new JsonObject();
                    map.forEach(o::add);
                    return o;
                });
        return Arbitraries.oneOf(leaf, array, object);
    }

    private static Arbitrary<JsonElement> text() {
        return Arbitraries.strings().ofMaxLength(8).map(JsonPrimitive::new);
    }
}
