package ai.redstar.train;

import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.EncodedChat;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads TRL's SFT record forms into conversations and tokenizes them with a chat template:
 * <ul>
 *   <li>{@code {"messages": [{"role": ..., "content": ...}, ...]}}: every assistant message is learned;
 *   <li>{@code {"prompt": ..., "completion": ...}}, each a string or a list of messages: the completion's assistant
 *       messages are learned, the prompt is context. A string prompt becomes one user message and a string
 *       completion one assistant message, rendered with the chat template (TRL concatenates plain strings without
 *       a template; a chat model is trained here as it will be prompted).
 * </ul>
 * Roles are system, user, assistant or tool; contents are strings; other fields of a record or message are ignored.
 */
final class Conversations {
    private Conversations() {}

    /**
     * A conversation and the index of its first message whose assistant turns are learned.
     *
     * @param messages every message, prompt then completion
     * @param firstLearned messages before this index are context only
     */
    record Conversation(List<ChatMessage> messages, int firstLearned) {}

    /**
     * The conversation of a record.
     *
     * @throws ai.redstar.core.jsonl.JsonlException naming the file, line and field of a malformed record
     */
    static Conversation of(JsonlRecord record) {
        boolean hasMessages = record.has("messages");
        boolean hasPrompt = record.has("prompt");
        boolean hasCompletion = record.has("completion");
        if (hasMessages && (hasPrompt || hasCompletion)) {
            throw record.problem("has both 'messages' and '" + (hasPrompt ? "prompt" : "completion")
                    + "'; a record is either {\"messages\": [...]} or {\"prompt\": ..., \"completion\": ...}");
        }
        if (hasMessages) {
            List<ChatMessage> messages = messages(record, "messages", record.array("messages"));
            if (messages.isEmpty()) {
                throw record.problem("field 'messages' is empty");
            }
            requireAssistant(record, messages, 0, "messages");
            return new Conversation(messages, 0);
        }
        if (!hasPrompt && !hasCompletion) {
            throw record.problem("has neither 'messages' nor 'prompt' and 'completion'; expected"
                    + " {\"messages\": [{\"role\": ..., \"content\": ...}, ...]} or"
                    + " {\"prompt\": ..., \"completion\": ...}");
        }
        if (!hasCompletion) {
            throw record.problem("field 'completion' is missing (the record has 'prompt')");
        }
        if (!hasPrompt) {
            throw record.problem("field 'prompt' is missing (the record has 'completion')");
        }
        List<ChatMessage> prompt = part(record, "prompt", ChatMessage.Role.USER);
        List<ChatMessage> completion = part(record, "completion", ChatMessage.Role.ASSISTANT);
        if (completion.isEmpty()) {
            throw record.problem("field 'completion' is empty");
        }
        List<ChatMessage> all = new ArrayList<>(prompt);
        all.addAll(completion);
        requireAssistant(record, all, prompt.size(), "completion");
        return new Conversation(List.copyOf(all), prompt.size());
    }

    /**
     * Tokenizes a conversation with the tokenizer's chat template (no generation prompt) and marks the learned
     * assistant tokens.
     *
     * @throws ai.redstar.core.jsonl.JsonlException naming the record when the template rejects it
     */
    static TokenizedExample tokenize(JsonlRecord record, Conversation conversation, ChatTokenizer tokenizer,
            AssistantLoss assistantLoss) {
        EncodedChat encoded;
        try {
            encoded = tokenizer.encodeChat(conversation.messages(), false);
        } catch (IllegalArgumentException e) {
            throw record.problem("cannot be rendered with the chat template: " + e.getMessage());
        }
        List<EncodedChat.AssistantSpan> learned = new ArrayList<>();
        for (EncodedChat.AssistantSpan span : encoded.assistantSpans()) {
            if (span.messageIndex() >= conversation.firstLearned()) {
                learned.add(span);
            }
        }
        if (assistantLoss == AssistantLoss.LAST_TURN && learned.size() > 1) {
            learned = List.of(learned.get(learned.size() - 1));
        }
        boolean[] mask = new boolean[encoded.length()];
        for (EncodedChat.AssistantSpan span : learned) {
            for (int t = span.startToken(); t < span.endToken(); t++) {
                mask[t] = true;
            }
        }
        if (encoded.length() == 0) {
            throw record.problem("renders to no tokens with the chat template");
        }
        return new TokenizedExample(encoded.ids(), mask);
    }

    private static List<ChatMessage> part(JsonlRecord record, String field, ChatMessage.Role stringRole) {
        JsonElement value = record.json().get(field);
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
            return List.of(new ChatMessage(stringRole, value.getAsString()));
        }
        if (value.isJsonArray()) {
            return messages(record, field, value.getAsJsonArray());
        }
        throw record.problem("field '" + field + "' must be a string or a list of messages, found "
                + describe(value));
    }

    private static List<ChatMessage> messages(JsonlRecord record, String field, JsonArray array) {
        List<ChatMessage> messages = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String where = field + "[" + i + "]";
            JsonElement element = array.get(i);
            if (!element.isJsonObject()) {
                throw record.problem("field '" + where + "' must be an object {\"role\": ..., \"content\": ...},"
                        + " found " + describe(element));
            }
            JsonObject message = element.getAsJsonObject();
            String role = string(record, message, where, "role");
            String content = string(record, message, where, "content");
            ChatMessage.Role parsed;
            try {
                parsed = ChatMessage.Role.fromWireName(role);
            } catch (IllegalArgumentException e) {
                throw record.problem("field '" + where + ".role': " + e.getMessage());
            }
            messages.add(new ChatMessage(parsed, content));
        }
        return messages;
    }

    private static String string(JsonlRecord record, JsonObject message, String where, String key) {
        JsonElement value = message.get(key);
        if (value == null || value.isJsonNull()) {
            throw record.problem("field '" + where + "." + key + "' is missing");
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw record.problem("field '" + where + "." + key + "' must be a string, found " + describe(value));
        }
        return value.getAsString();
    }

    private static void requireAssistant(JsonlRecord record, List<ChatMessage> messages, int from, String field) {
        for (int i = from; i < messages.size(); i++) {
            if (messages.get(i).role() == ChatMessage.Role.ASSISTANT) {
                return;
            }
        }
        throw record.problem("field '" + field + "' has no assistant message, so nothing would be learned");
    }

    private static String describe(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return "null";
        }
        if (value.isJsonArray()) {
            return "an array of " + value.getAsJsonArray().size();
        }
        if (value.isJsonObject()) {
            return "an object";
        }
        String text = value.toString();
        return (value.getAsJsonPrimitive().isString() ? "string " : value.getAsJsonPrimitive().isNumber()
                ? "number " : "boolean ") + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
}
