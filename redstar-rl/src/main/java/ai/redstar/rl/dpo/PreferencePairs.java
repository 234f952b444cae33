package ai.redstar.rl.dpo;

import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlReader;
import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads TRL's preference-pair JSONL, {@code {"prompt": ..., "chosen": ..., "rejected": ...}}, into tokenized
 * {@link PreferencePair}s. Each field is a string or a list of {@code {"role", "content"}} messages; a string prompt
 * is one user message, a string response one assistant message. With a chat template the prompt is rendered with
 * the generation prompt and each response is the rest of the rendered conversation (so it ends with the template's
 * end-of-turn marker); without one, contents are concatenated as plain text and the EOS id (if any) ends each
 * response. Stateless and thread-safe as far as the tokenizer is.
 */
public final class PreferencePairs {
    private PreferencePairs() {
    }

    /**
     * @param file JSONL, one pair per line
     * @param tokenizer the policy's tokenizer
     * @return the pairs in file order
     * @throws ai.redstar.core.jsonl.JsonlException naming the file, line and field of a malformed record
     * @throws IllegalArgumentException when the file holds no pair
     */
    public static List<PreferencePair> fromJsonl(Path file, ChatTokenizer tokenizer) {
        List<PreferencePair> out = new ArrayList<>();
        try (JsonlReader reader = Jsonl.reader(file)) {
            while (reader.hasNext()) {
                out.add(of(reader.next(), tokenizer));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no preference pair; expected one JSON object per line "
                    + "with fields prompt, chosen and rejected");
        }
        return out;
    }

    /** The tokenized pair of one record. */
    static PreferencePair of(JsonlRecord record, ChatTokenizer tokenizer) {
        for (String field : List.of("prompt", "chosen", "rejected")) {
            if (!record.has(field)) {
                throw record.problem("field '" + field + "' is missing; a preference pair is "
                        + "{\"prompt\": ..., \"chosen\": ..., \"rejected\": ...}");
            }
        }
        List<ChatMessage> prompt = messages(record, "prompt", ChatMessage.Role.USER);
        List<ChatMessage> chosen = messages(record, "chosen", ChatMessage.Role.ASSISTANT);
        List<ChatMessage> rejected = messages(record, "rejected", ChatMessage.Role.ASSISTANT);
        int[] promptIds;
        int[] chosenIds;
        int[] rejectedIds;
        try {
            if (tokenizer.chatTemplate().isPresent()) {
                promptIds = tokenizer.encodeChat(prompt, true).ids();
                chosenIds = rest(record, "chosen", promptIds, tokenizer.encodeChat(concat(prompt, chosen), false)
                        .ids());
                rejectedIds = rest(record, "rejected", promptIds,
                        tokenizer.encodeChat(concat(prompt, rejected), false).ids());
            } else {
                promptIds = tokenizer.encode(text(prompt));
                chosenIds = withEos(tokenizer, tokenizer.encode(text(chosen)));
                rejectedIds = withEos(tokenizer, tokenizer.encode(text(rejected)));
            }
        } catch (IllegalArgumentException e) {
            throw record.problem("cannot be tokenized: " + e.getMessage());
        }
        if (promptIds.length == 0 || chosenIds.length == 0 || rejectedIds.length == 0) {
            throw record.problem("tokenizes to an empty prompt (" + promptIds.length + " tokens), chosen ("
                    + chosenIds.length + ") or rejected (" + rejectedIds.length + "); give non-empty texts");
        }
        return new PreferencePair(promptIds, chosenIds, rejectedIds);
    }

    private static int[] rest(JsonlRecord record, String field, int[] prompt, int[] full) {
        if (full.length < prompt.length || !Arrays.equals(prompt, Arrays.copyOf(full, prompt.length))) {
            throw record.problem("field '" + field + "': the chat template does not render the prompt as a prefix "
                    + "of prompt + response, so the response tokens cannot be located; use a template whose "
                    + "generation prompt is a prefix of the assistant turn");
        }
        return Arrays.copyOfRange(full, prompt.length, full.length);
    }

    private static int[] withEos(ChatTokenizer tokenizer, int[] ids) {
        if (tokenizer.eosTokenId().isEmpty()) {
            return ids;
        }
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = tokenizer.eosTokenId().getAsInt();
        return out;
    }

    private static List<ChatMessage> concat(List<ChatMessage> a, List<ChatMessage> b) {
        List<ChatMessage> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static String text(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            sb.append(m.content());
        }
        return sb.toString();
    }

    private static List<ChatMessage> messages(JsonlRecord record, String field, ChatMessage.Role stringRole) {
        JsonElement value = record.json().get(field);
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
            return List.of(new ChatMessage(stringRole, value.getAsString()));
        }
        if (!value.isJsonArray() || value.getAsJsonArray().isEmpty()) {
            throw record.problem("field '" + field + "' must be a string or a non-empty list of messages, found "
                    + value);
        }
        JsonArray array = value.getAsJsonArray();
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonElement e = array.get(i);
            JsonObject m = e.isJsonObject() ? e.getAsJsonObject() : null;
            if (m == null || !isString(m, "role") || !isString(m, "content")) {
                throw record.problem("field '" + field + "[" + i + "]' must be {\"role\": string, \"content\": "
                        + "string}, found " + e);
            }
            try {
                out.add(new ChatMessage(ChatMessage.Role.fromWireName(m.get("role").getAsString()),
                        m.get("content").getAsString()));
            } catch (IllegalArgumentException ex) {
                throw record.problem("field '" + field + "[" + i + "].role': " + ex.getMessage());
            }
        }
        return out;
    }

    private static boolean isString(JsonObject o, String f) {
        return o.has(f) && o.get(f).isJsonPrimitive() && o.get(f).getAsJsonPrimitive().isString();
    }
}
