package ai.redstar.train;

import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.tokenizer.EncodedChat;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Reads TRL's SFT record forms into conversations and tokenizes them with a chat template:
 * <ul>
 *   <li>{@code {"messages": [{"role": ..., "content": ...}, ...]}}: every assistant message is learned;
 *   <li>{@code {"prompt": ..., "completion": ...}}, each a string or a list of messages: the completion's assistant
 *       messages are learned, the prompt is context. A string prompt becomes one user message and a string
 *       completion one assistant message, rendered with the chat template (TRL concatenates plain strings without
 *       a template; a chat model is trained here as it will be prompted).
 * </ul>
 * Roles are system, user, assistant or tool. A content is a string or, as in TRL's vision records, a list of parts
 * {@code {"type": "text", "text": ...}} and {@code {"type": "image"}}, joined with newlines into one string in which
 * each image part becomes the image placeholder (e.g. {@code "<image>"}); other fields of a record, message or part are
 * ignored.
 *
 * <p><b>Images.</b> A record may list {@code "images": ["a.png", ...]}, paths relative to the JSONL file's folder (or
 * absolute), one per placeholder in its messages, in order. With {@link Images} given, the chat template renders the
 * placeholders, each of which must tokenize to the placeholder token, and every such token is then expanded to
 * {@code imageSeqLength} copies of the image token id, never learned.
 */
final class Conversations {
    private Conversations() {}

    /**
     * A conversation and the index of its first message whose assistant turns are learned.
     *
     * @param messages every message, prompt then completion
     * @param firstLearned messages before this index are context only
     * @param images the record's image files, resolved, in order
     */
    record Conversation(List<ChatMessage> messages, int firstLearned, List<Path> images) {}

    /**
     * How images are written in a conversation and expanded in its tokens.
     *
     * @param placeholder the text that stands for an image in a message, e.g. {@code "<image>"}
     * @param placeholderId the tokenizer's id for that text (a single token)
     * @param imageTokenId the model's image token id ({@code image_token_index}) that the expansion repeats
     * @param seqLength tokens per image ({@code VisionLmConfig#imageSeqLength()})
     */
    record Images(String placeholder, int placeholderId, int imageTokenId, int seqLength) {}

    /** The placeholder of image parts when no {@link Images} are configured (such records then fail). */
    static final String DEFAULT_PLACEHOLDER = "<image>";

    /** As {@link #of(JsonlRecord, Images, boolean)} for text-only data. */
    static Conversation of(JsonlRecord record) {
        return of(record, null, false);
    }

    /**
     * The conversation of a record.
     *
     * @throws ai.redstar.core.jsonl.JsonlException naming the file, line and field of a malformed record
     */
    static Conversation of(JsonlRecord record, Images images, boolean checkImageFiles) {
        String placeholder = images == null ? DEFAULT_PLACEHOLDER : images.placeholder();
        Conversation c = parse(record, placeholder);
        List<Path> files = imageFiles(record);
        if (!files.isEmpty() && images == null) {
            throw record.problem("has " + files.size() + " image(s) in 'images' but the data is read as text; build"
                    + " it with SftData.builder(file, tokenizer).images(visionLmConfig) to train a vision model");
        }
        int placeholders = 0;
        for (ChatMessage m : c.messages()) {
            for (int at = m.content().indexOf(placeholder); at >= 0;
                    at = m.content().indexOf(placeholder, at + placeholder.length())) {
                placeholders++;
            }
        }
        if (placeholders != files.size()) {
            throw record.problem(String.format(Locale.ROOT, "its messages hold %d image placeholder(s) '%s' (an"
                    + " image part or the text) but field 'images' lists %d image(s); give one image per"
                    + " placeholder, in order", placeholders, placeholder, files.size()));
        }
        if (checkImageFiles) {
            for (int i = 0; i < files.size(); i++) {
                checkImage(record, i, files.get(i));
            }
        }
        return new Conversation(c.messages(), c.firstLearned(), files);
    }

    private static List<Path> imageFiles(JsonlRecord record) {
        if (!record.has("images")) {
            return List.of();
        }
        JsonArray array = record.array("images");
        Path folder = record.file().toAbsolutePath().getParent();
        List<Path> files = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonElement e = array.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isBlank()) {
                throw record.problem("field 'images[" + i + "]' must be a path string (relative to the JSONL file's"
                        + " folder, or absolute), found " + describe(e));
            }
            try {
                Path p = Path.of(e.getAsString());
                files.add(p.isAbsolute() ? p.normalize() : folder.resolve(p).normalize());
            } catch (InvalidPathException ex) {
                throw record.problem("field 'images[" + i + "]' is not a valid path: " + ex.getMessage());
            }
        }
        return List.copyOf(files);
    }

    private static void checkImage(JsonlRecord record, int i, Path file) {
        if (!Files.isRegularFile(file)) {
            throw record.problem("image 'images[" + i + "]' " + file + (Files.exists(file) ? " is not a regular file"
                    : " does not exist") + "; image paths are relative to the JSONL file's folder");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw record.problem("image 'images[" + i + "]' " + file + " cannot be read: " + e.getMessage());
        }
        if (image == null) {
            throw record.problem("image 'images[" + i + "]' " + file + " is not an image ImageIO can decode"
                    + " (PNG, JPEG, BMP, GIF)");
        }
    }

    private static Conversation parse(JsonlRecord record, String placeholder) {
        boolean hasMessages = record.has("messages");
        boolean hasPrompt = record.has("prompt");
        boolean hasCompletion = record.has("completion");
        if (hasMessages && (hasPrompt || hasCompletion)) {
            throw record.problem("has both 'messages' and '" + (hasPrompt ? "prompt" : "completion")
                    + "'; a record is either {\"messages\": [...]} or {\"prompt\": ..., \"completion\": ...}");
        }
        if (hasMessages) {
            List<ChatMessage> messages = messages(record, "messages", record.array("messages"), placeholder);
            if (messages.isEmpty()) {
                throw record.problem("field 'messages' is empty");
            }
            requireAssistant(record, messages, 0, "messages");
            return new Conversation(messages, 0, List.of());
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
        List<ChatMessage> prompt = part(record, "prompt", ChatMessage.Role.USER, placeholder);
        List<ChatMessage> completion = part(record, "completion", ChatMessage.Role.ASSISTANT, placeholder);
        if (completion.isEmpty()) {
            throw record.problem("field 'completion' is empty");
        }
        List<ChatMessage> all = new ArrayList<>(prompt);
        all.addAll(completion);
        requireAssistant(record, all, prompt.size(), "completion");
        return new Conversation(List.copyOf(all), prompt.size(), List.of());
    }

    /**
     * Tokenizes a conversation with the tokenizer's chat template (no generation prompt) and marks the learned
     * assistant tokens.
     *
     * @throws ai.redstar.core.jsonl.JsonlException naming the record when the template rejects it
     */
    static TokenizedExample tokenize(JsonlRecord record, Conversation conversation, ChatTokenizer tokenizer,
            AssistantLoss assistantLoss) {
        return tokenize(record, conversation, tokenizer, assistantLoss, null);
    }

    /**
     * As {@link #tokenize(JsonlRecord, Conversation, ChatTokenizer, AssistantLoss)}, then, with {@code images},
     * expands each placeholder token to {@code seqLength} image tokens (never learned).
     *
     * @throws ai.redstar.core.jsonl.JsonlException when the rendered tokens hold another number of placeholder tokens
     *     than the record has images
     */
    static TokenizedExample tokenize(JsonlRecord record, Conversation conversation, ChatTokenizer tokenizer,
            AssistantLoss assistantLoss, Images images) {
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
        if (images == null) {
            return new TokenizedExample(encoded.ids(), mask);
        }
        return expand(record, encoded.ids(), mask, conversation.images(), images);
    }

    private static TokenizedExample expand(JsonlRecord record, int[] ids, boolean[] mask, List<Path> files,
            Images images) {
        int found = 0;
        for (int id : ids) {
            if (id == images.placeholderId()) {
                found++;
            }
        }
        if (found != files.size()) {
            throw record.problem(String.format(Locale.ROOT, "renders to %d image placeholder token(s) (id %d, '%s')"
                    + " with the chat template but lists %d image(s); the template must keep each placeholder as"
                    + " written and the placeholder must not be split by the tokenizer", found,
                    images.placeholderId(), images.placeholder(), files.size()));
        }
        int length = ids.length + found * (images.seqLength() - 1);
        int[] out = new int[length];
        boolean[] outMask = new boolean[length];
        int k = 0;
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] == images.placeholderId()) {
                Arrays.fill(out, k, k + images.seqLength(), images.imageTokenId());
                k += images.seqLength();
            } else {
                out[k] = ids[t];
                outMask[k] = mask[t];
                k++;
            }
        }
        return new TokenizedExample(out, outMask, files);
    }

    private static List<ChatMessage> part(JsonlRecord record, String field, ChatMessage.Role stringRole,
            String placeholder) {
        JsonElement value = record.json().get(field);
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
            return List.of(new ChatMessage(stringRole, value.getAsString()));
        }
        if (value.isJsonArray()) {
            return messages(record, field, value.getAsJsonArray(), placeholder);
        }
        throw record.problem("field '" + field + "' must be a string or a list of messages, found "
                + describe(value));
    }

    private static List<ChatMessage> messages(JsonlRecord record, String field, JsonArray array,
            String placeholder) {
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
            String content = content(record, message, where, placeholder);
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

    /** A message's content: a string, or a list of text and image parts joined with newlines. */
    private static String content(JsonlRecord record, JsonObject message, String where, String placeholder) {
        JsonElement value = message.get("content");
        if (value == null || !value.isJsonArray()) {
            return string(record, message, where, "content");
        }
        JsonArray parts = value.getAsJsonArray();
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < parts.size(); p++) {
            String at = where + ".content[" + p + "]";
            JsonElement e = parts.get(p);
            if (!e.isJsonObject()) {
                throw record.problem("field '" + at + "' must be a part {\"type\": \"text\", \"text\": ...} or"
                        + " {\"type\": \"image\"}, found " + describe(e));
            }
            JsonObject part = e.getAsJsonObject();
            String type = string(record, part, at, "type");
            if (p > 0) {
                sb.append('\n');
            }
            switch (type) {
                case "text" -> sb.append(string(record, part, at, "text"));
                case "image" -> sb.append(placeholder);
                default -> throw record.problem("field '" + at + ".type' is '" + type + "'; expected 'text' or"
                        + " 'image'");
            }
        }
        return sb.toString();
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
