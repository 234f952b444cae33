package ai.redstar.core.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hugging Face tokenizer folder ({@code tokenizer.json}, {@code tokenizer_config.json}, optionally
 * {@code special_tokens_map.json} and {@code chat_template.jinja}) ready for training and generation: DJL's native
 * Hugging Face tokenizer for encoding and decoding, the model's chat template for conversations.
 *
 * <p>Encoding never truncates, never pads and never adds special tokens by itself (DJL's defaults would silently cut
 * at 512 tokens and add BOS/EOS); special tokens come only from the text, that is from the chat template. Everything
 * works offline.
 *
 * <p>{@link #encodeChat} renders a conversation exactly as transformers' {@code apply_chat_template} does and marks
 * the tokens of each assistant message (its content and the end-of-turn token) for the SFT loss. The spans come
 * from {@code {% generation %}} markers when the template has them; otherwise from rendering the conversation up to
 * each assistant message with and without it: the text the assistant message adds after the generation prompt, up
 * to and including its last special token (the end-of-turn token, e.g. {@code <|im_end|>} or {@code <|eot_id|>}).
 * A template whose rendering of a shorter conversation is not a prefix of the longer one (for example one that
 * strips earlier reasoning) is reported as an {@link IllegalArgumentException}, never guessed around.
 *
 * <p>Owns a native tokenizer: close it. Thread-safe: encoding, decoding and chat rendering may run concurrently
 * (the native tokenizer is only read after loading); {@link #close()} must not overlap them.
 */
public final class ChatTokenizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChatTokenizer.class);

    /** Special tokens that end a turn in the model families this library targets. */
    private static final List<String> TURN_END_TOKENS = List.of("<|im_end|>", "<|eot_id|>", "<|eom_id|>",
            "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>");

    private static final List<String> NAMED_SPECIAL_TOKENS =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    private final Path folder;
    private final HuggingFaceTokenizer tokenizer;
    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final BitSet special;
    private final Map<String, String> specialTokenNames;
    private final List<String> additionalSpecialTokens;
    private final ChatTemplate chatTemplate;
    private final Map<String, ChatTemplate> namedTemplates;
    private final IllegalArgumentException templateProblem;
    private volatile boolean closed;

    private ChatTokenizer(Path folder, HuggingFaceTokenizer tokenizer, Vocabulary vocabulary,
            Map<String, String> specialTokenNames, List<String> additionalSpecialTokens, ChatTemplate chatTemplate,
            Map<String, ChatTemplate> namedTemplates, IllegalArgumentException templateProblem) {
        this.folder = folder;
        this.tokenizer = tokenizer;
        this.tokens = vocabulary.tokens;
        this.ids = vocabulary.ids;
        this.special = vocabulary.special;
        this.specialTokenNames = specialTokenNames;
        this.additionalSpecialTokens = additionalSpecialTokens;
        this.chatTemplate = chatTemplate;
        this.namedTemplates = namedTemplates;
        this.templateProblem = templateProblem;
    }

    // ================================================================ loading

    /**
     * Loads the tokenizer in a model folder.
     *
     * <p>The chat template is {@code chat_template} of {@code tokenizer_config.json} (a string, or a list of
     * {@code {name, template}} of which {@code "default"} is used), else {@code chat_template.jinja}. A template this
     * library cannot parse does not stop loading (a warning is logged); the chat methods then throw the parse error.
     * Named special tokens ({@code bos_token}, {@code eos_token}, {@code pad_token}, ...) come from
     * {@code tokenizer_config.json}, overridden by {@code special_tokens_map.json} as transformers does.
     *
     * @throws IllegalArgumentException naming the file and field when the folder has no {@code tokenizer.json}, a
     *     file is not valid JSON, or a named special token is not in the vocabulary
     * @throws UncheckedIOException when a file cannot be read
     */
    public static ChatTokenizer load(Path folder) {
        Objects.requireNonNull(folder, "folder");
        Path tokenizerFile = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new IllegalArgumentException("no tokenizer.json in " + folder
                    + "; a Hugging Face tokenizer folder is needed (tokenizer.json, tokenizer_config.json)");
        }
        String tokenizerJson = read(tokenizerFile);
        Vocabulary vocabulary = Vocabulary.parse(tokenizerFile, tokenizerJson);

        JsonObject config = readObjectIfPresent(folder.resolve("tokenizer_config.json"));
        JsonObject specialMap = readObjectIfPresent(folder.resolve("special_tokens_map.json"));
        Map<String, String> names = new LinkedHashMap<>();
        List<String> additional = new ArrayList<>();
        for (JsonObject source : new JsonObject[] {config, specialMap}) {
            if (source == null) {
                continue;
            }
            for (String name : NAMED_SPECIAL_TOKENS) {
                if (source.has(name)) {
                    String token = tokenContent(source.get(name), folder, name);
                    if (token == null) {
                        names.remove(name);
                    } else {
                        names.put(name, token);
                    }
                }
            }
            if (source.has("additional_special_tokens") && source.get("additional_special_tokens").isJsonArray()) {
                additional.clear();
                for (JsonElement e : source.getAsJsonArray("additional_special_tokens")) {
                    String token = tokenContent(e, folder, "additional_special_tokens");
                    if (token != null) {
                        additional.add(token);
                    }
                }
            }
        }
        for (Map.Entry<String, String> e : names.entrySet()) {
            if (!vocabulary.ids.containsKey(e.getValue())) {
                throw new IllegalArgumentException(folder + ": " + e.getKey() + " '" + e.getValue()
                        + "' is not in the vocabulary of tokenizer.json");
            }
        }

        ChatTemplate template = null;
        Map<String, ChatTemplate> named = new LinkedHashMap<>();
        IllegalArgumentException problem = null;
        try {
            JsonElement templateJson = config == null ? null : config.get("chat_template");
            if (templateJson != null && templateJson.isJsonPrimitive()) {
                template = ChatTemplate.parse(templateJson.getAsString());
            } else if (templateJson != null && templateJson.isJsonArray()) {
                for (JsonElement e : templateJson.getAsJsonArray()) {
                    if (!e.isJsonObject() || !e.getAsJsonObject().has("name")
                            || !e.getAsJsonObject().has("template")) {
                        throw new IllegalArgumentException(folder + "/tokenizer_config.json: chat_template list "
                                + "entries must be {\"name\": ..., \"template\": ...}");
                    }
                    named.put(e.getAsJsonObject().get("name").getAsString(),
                            ChatTemplate.parse(e.getAsJsonObject().get("template").getAsString()));
                }
                template = named.get("default");
            } else if (Files.isRegularFile(folder.resolve("chat_template.jinja"))) {
                template = ChatTemplate.parse(read(folder.resolve("chat_template.jinja")));
            }
        } catch (IllegalArgumentException e) {
            problem = new IllegalArgumentException(folder + ": the chat template cannot be used: " + e.getMessage(),
                    e);
            LOG.warn("{}", problem.getMessage());
            template = null;
        }

        HuggingFaceTokenizer native_;
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "false");
        options.put("truncation", "false");
        options.put("padding", "false");
        try {
            native_ = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8)), options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(tokenizerFile + " is not a tokenizer the Hugging Face tokenizers "
                    + "library accepts: " + e.getMessage(), e);
        }
        return new ChatTokenizer(folder, native_, vocabulary, Collections.unmodifiableMap(names),
                List.copyOf(additional), template, Collections.unmodifiableMap(named), problem);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject readObjectIfPresent(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonElement element = JsonParser.parseString(read(file));
            if (!element.isJsonObject()) {
                throw new IllegalArgumentException(file + " must hold a JSON object");
            }
            return element.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** A special token given as a string or as an AddedToken object ({@code {"content": ...}}); null for null. */
    private static String tokenContent(JsonElement value, Path folder, String field) {
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
            return value.getAsString();
        }
        if (value.isJsonObject() && value.getAsJsonObject().has("content")) {
            return value.getAsJsonObject().get("content").getAsString();
        }
        throw new IllegalArgumentException(folder + ": " + field + " must be a string or {\"content\": ...}, found "
                + value);
    }

    /** The vocabulary of tokenizer.json: model vocab plus added tokens, read without building a JSON tree. */
    private static final class Vocabulary {
        String[] tokens;
        final Map<String, Integer> ids = new HashMap<>();
        final BitSet special = new BitSet();

        static Vocabulary parse(Path file, String json) {
            Vocabulary v = new Vocabulary();
            Map<Integer, String> byId = new HashMap<>();
            try (JsonReader reader = new JsonReader(new StringReader(json))) {
                reader.setStrictness(Strictness.LENIENT);
                reader.beginObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    if (name.equals("model") && reader.peek() == JsonToken.BEGIN_OBJECT) {
                        readModel(reader, byId, file);
                    } else if (name.equals("added_tokens") && reader.peek() == JsonToken.BEGIN_ARRAY) {
                        JsonArray added = JsonParser.parseReader(reader).getAsJsonArray();
                        for (JsonElement e : added) {
                            JsonObject token = e.getAsJsonObject();
                            int id = token.get("id").getAsInt();
                            byId.put(id, token.get("content").getAsString());
                            if (token.has("special") && token.get("special").getAsBoolean()) {
                                v.special.set(id);
                            }
                        }
                    } else {
                        reader.skipValue();
                    }
                }
                reader.endObject();
            } catch (IOException | IllegalStateException | JsonParseException | NullPointerException
                    | UnsupportedOperationException e) {
                throw new IllegalArgumentException(file + " is not a valid tokenizer.json: " + e.getMessage(), e);
            }
            if (byId.isEmpty()) {
                throw new IllegalArgumentException(file + " has an empty vocabulary");
            }
            int max = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
            v.tokens = new String[max + 1];
            for (Map.Entry<Integer, String> e : byId.entrySet()) {
                if (e.getKey() < 0) {
                    throw new IllegalArgumentException(file + ": negative token id " + e.getKey());
                }
                v.tokens[e.getKey()] = e.getValue();
                v.ids.putIfAbsent(e.getValue(), e.getKey());
            }
            return v;
        }

        private static void readModel(JsonReader reader, Map<Integer, String> byId, Path file) throws IOException {
            reader.beginObject();
            while (reader.hasNext()) {
                String name = reader.nextName();
                if (name.equals("vocab") && reader.peek() == JsonToken.BEGIN_OBJECT) {
                    reader.beginObject();
                    while (reader.hasNext()) {
                        String token = reader.nextName();
                        byId.put(reader.nextInt(), token);
                    }
                    reader.endObject();
                } else if (name.equals("vocab") && reader.peek() == JsonToken.BEGIN_ARRAY) {
                    // Unigram: [[piece, score], ...], the id is the position
                    reader.beginArray();
                    int id = 0;
                    while (reader.hasNext()) {
                        reader.beginArray();
                        byId.put(id++, reader.nextString());
                        while (reader.hasNext()) {
                            reader.skipValue();
                        }
                        reader.endArray();
                    }
                    reader.endArray();
                } else {
                    reader.skipValue();
                }
            }
            reader.endObject();
        }
    }

    // ================================================================ tokens

    /**
     * The token ids of a text, with no special tokens added, no truncation and no padding; special tokens written in
     * the text (such as {@code <|im_end|>}) become their ids.
     *
     * @throws IllegalArgumentException when the text holds an unpaired UTF-16 surrogate
     */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        checkOpen();
        checkSurrogates(text);
        // ids only: DJL's Encoding would also build token strings and offsets (about half the time)
        long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
        long[] longIds;
        try {
            longIds = TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
        int[] out = new int[longIds.length];
        for (int i = 0; i < longIds.length; i++) {
            out[i] = (int) longIds[i];
        }
        return out;
    }

    private Encoding nativeEncode(String text) {
        Objects.requireNonNull(text, "text");
        checkOpen();
        checkSurrogates(text);
        return tokenizer.encode(text, false, false);
    }

    private static void checkSurrogates(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException("text has an unpaired surrogate at index " + i
                        + " (not valid Unicode, cannot be tokenized)");
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("text has an unpaired surrogate at index " + i
                        + " (not valid Unicode, cannot be tokenized)");
            }
        }
    }

    /**
     * The text of token ids.
     *
     * @param skipSpecialTokens drop special tokens (such as {@code <|im_end|>}) from the text
     * @throws IllegalArgumentException naming the position of an id that is not in the vocabulary
     */
    public String decode(int[] tokenIds, boolean skipSpecialTokens) {
        Objects.requireNonNull(tokenIds, "tokenIds");
        checkOpen();
        long[] longIds = new long[tokenIds.length];
        for (int i = 0; i < tokenIds.length; i++) {
            int id = tokenIds[i];
            if (id < 0 || id >= tokens.length || tokens[id] == null) {
                throw new IllegalArgumentException("token id " + id + " at position " + i + " is not in the "
                        + "vocabulary (ids 0 to " + (tokens.length - 1) + ")");
            }
            longIds[i] = id;
        }
        return tokenizer.decode(longIds, skipSpecialTokens);
    }

    /**
     * The size of the id space: the highest token id plus one, what an embedding table needs (equal to
     * transformers' {@code len(tokenizer)} when ids are contiguous, as in every released tokenizer).
     */
    public int vocabularySize() {
        return tokens.length;
    }

    /** The id of a token string as the vocabulary spells it (byte-level tokens use GPT-2's byte alphabet). */
    public OptionalInt tokenToId(String token) {
        Integer id = ids.get(Objects.requireNonNull(token, "token"));
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * The vocabulary entry of an id.
     *
     * @throws IllegalArgumentException when the id is not in the vocabulary
     */
    public String idToToken(int id) {
        if (id < 0 || id >= tokens.length || tokens[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (ids 0 to "
                    + (tokens.length - 1) + ")");
        }
        return tokens[id];
    }

    /** Ids of the added tokens marked special in tokenizer.json, ascending. */
    public Set<Integer> specialTokenIds() {
        Set<Integer> out = new TreeSet<>();
        special.stream().forEach(out::add);
        return Collections.unmodifiableSet(out);
    }

    /** Whether an id is a special added token. */
    public boolean isSpecial(int id) {
        return id >= 0 && special.get(id);
    }

    /** The beginning-of-sequence token, if the tokenizer names one. */
    public Optional<String> bosToken() {
        return Optional.ofNullable(specialTokenNames.get("bos_token"));
    }

    /** The end-of-sequence token, if the tokenizer names one. */
    public Optional<String> eosToken() {
        return Optional.ofNullable(specialTokenNames.get("eos_token"));
    }

    /** The padding token, if the tokenizer names one. */
    public Optional<String> padToken() {
        return Optional.ofNullable(specialTokenNames.get("pad_token"));
    }

    public OptionalInt bosTokenId() {
        return idOf(bosToken());
    }

    public OptionalInt eosTokenId() {
        return idOf(eosToken());
    }

    public OptionalInt padTokenId() {
        return idOf(padToken());
    }

    private OptionalInt idOf(Optional<String> token) {
        return token.map(t -> OptionalInt.of(ids.get(t))).orElse(OptionalInt.empty());
    }

    /**
     * Tokens that end an assistant turn, a default stop set for generation: the EOS token and those of
     * {@code <|im_end|>}, {@code <|eot_id|>}, {@code <|eom_id|>}, {@code <|end|>}, {@code <end_of_turn>},
     * {@code <|endoftext|>}, {@code <|end_of_text|>} that are special tokens here. A model's
     * {@code generation_config.json} may name others.
     */
    public Set<Integer> endOfTurnTokenIds() {
        Set<Integer> out = new LinkedHashSet<>();
        eosTokenId().ifPresent(out::add);
        for (String token : TURN_END_TOKENS) {
            Integer id = ids.get(token);
            if (id != null && special.get(id)) {
                out.add(id);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    // ================================================================ chat

    /** The default chat template, if the tokenizer has one this library can use. */
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** A named chat template (from a {@code chat_template} list), such as {@code "tool_use"}. */
    public Optional<ChatTemplate> chatTemplate(String name) {
        return Optional.ofNullable(namedTemplates.get(Objects.requireNonNull(name, "name")));
    }

    /**
     * Renders a conversation as text, as {@code apply_chat_template(messages, tokenize=False,
     * add_generation_prompt=...)} does.
     *
     * @throws IllegalStateException when the tokenizer has no usable chat template
     * @throws IllegalArgumentException when the template rejects the conversation
     */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return applyChatTemplate(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation with additional template variables (for example {@code date_string},
     * {@code enable_thinking} or {@code tools}); they override the special tokens but not {@code messages} or
     * {@code add_generation_prompt}.
     */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt,
            Map<String, ?> variables) {
        Renderer renderer = new Renderer(messages, variables);
        return renderer.render(messages.size(), addGenerationPrompt).text();
    }

    /**
     * Renders and tokenizes a conversation and finds the token span of each assistant message (see the class
     * comment).
     *
     * @throws IllegalStateException when the tokenizer has no usable chat template
     * @throws IllegalArgumentException when the template rejects the conversation or renders it in a way whose
     *     assistant spans cannot be determined exactly
     */
    public EncodedChat encodeChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return encodeChat(messages, addGenerationPrompt, Map.of());
    }

    /** {@link #encodeChat(List, boolean)} with additional template variables. */
    public EncodedChat encodeChat(List<ChatMessage> messages, boolean addGenerationPrompt,
            Map<String, ?> variables) {
        Renderer renderer = new Renderer(messages, variables);
        JinjaRenderer.Result full = renderer.render(messages.size(), addGenerationPrompt);
        String text = full.text();
        List<Integer> assistantIndices = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).role() == ChatMessage.Role.ASSISTANT) {
                assistantIndices.add(i);
            }
        }
        List<int[]> regions = new ArrayList<>();
        boolean marked = renderer.template.marksGenerations() && !full.generationSpans().isEmpty();
        if (marked) {
            if (full.generationSpans().size() != assistantIndices.size()) {
                throw new IllegalArgumentException("the chat template marks " + full.generationSpans().size()
                        + " {% generation %} blocks but the conversation has " + assistantIndices.size()
                        + " assistant messages");
            }
            regions.addAll(full.generationSpans());
        } else {
            for (int index : assistantIndices) {
                String before = renderer.render(index, true).text();
                String through = renderer.render(index + 1, false).text();
                if (!through.startsWith(before) || !text.startsWith(through)) {
                    throw new IllegalArgumentException("cannot locate assistant message " + index + " exactly: the "
                            + "chat template does not render the conversation up to it (with the generation prompt) "
                            + "as a prefix of the conversation including it; it changes earlier turns (for example "
                            + "it drops reasoning of past assistant messages). Use a template that keeps past "
                            + "turns unchanged or marks them with {% generation %}.");
                }
                regions.add(new int[] {before.length(), through.length()});
            }
        }

        Encoding encoding = nativeEncode(text);
        long[] longIds = encoding.getIds();
        int[] tokenIds = new int[longIds.length];
        for (int i = 0; i < longIds.length; i++) {
            tokenIds[i] = (int) longIds[i];
        }
        int[][] charSpans = utf16Spans(text, encoding.getCharTokenSpans());
        List<EncodedChat.AssistantSpan> spans = new ArrayList<>();
        for (int k = 0; k < regions.size(); k++) {
            spans.add(span(assistantIndices.get(k), regions.get(k), tokenIds, charSpans, !marked));
        }
        return new EncodedChat(tokenIds, text, spans);
    }

    /**
     * The tokens of a character region: every token overlapping it; when {@code cutAtLastSpecial}, only up to and
     * including the last special token inside the region (what follows the end-of-turn token is not learned).
     */
    private EncodedChat.AssistantSpan span(int messageIndex, int[] region, int[] tokenIds, int[][] charSpans,
            boolean cutAtLastSpecial) {
        int start = -1;
        int end = -1;
        int lastSpecial = -1;
        for (int t = 0; t < tokenIds.length; t++) {
            int s = charSpans[t][0];
            int e = charSpans[t][1];
            if (e <= region[0] || e == s) {
                continue;
            }
            if (s >= region[1]) {
                break;
            }
            if (start < 0) {
                start = t;
            }
            end = t + 1;
            if (special.get(tokenIds[t]) && s >= region[0] && e <= region[1]) {
                lastSpecial = t;
            }
        }
        if (start < 0) {
            int at = 0;
            while (at < tokenIds.length && charSpans[at][1] <= region[0]) {
                at++;
            }
            return new EncodedChat.AssistantSpan(messageIndex, at, at, region[0], region[0]);
        }
        if (cutAtLastSpecial && lastSpecial >= 0) {
            end = lastSpecial + 1;
        }
        int startChar = Math.min(region[0], charSpans[start][0]);
        int endChar = cutAtLastSpecial && lastSpecial >= 0 ? charSpans[lastSpecial][1]
                : Math.max(region[1], charSpans[end - 1][1]);
        return new EncodedChat.AssistantSpan(messageIndex, start, end, startChar, endChar);
    }

    /**
     * Token character spans in UTF-16 indices of {@code text}. DJL reports spans in Unicode code points; a token
     * without a span (added by a post-processor) gets an empty span at the previous token's end.
     */
    private static int[][] utf16Spans(String text, CharSpan[] spans) {
        int codePoints = text.codePointCount(0, text.length());
        int[] utf16 = new int[codePoints + 1];
        int index = 0;
        for (int cp = 0; cp < codePoints; cp++) {
            utf16[cp] = index;
            index += Character.charCount(text.codePointAt(index));
        }
        utf16[codePoints] = text.length();
        int[][] out = new int[spans.length][];
        int previousEnd = 0;
        for (int t = 0; t < spans.length; t++) {
            CharSpan span = spans[t];
            if (span == null) {
                out[t] = new int[] {previousEnd, previousEnd};
                continue;
            }
            int s = utf16[Math.min(Math.max(span.getStart(), 0), codePoints)];
            int e = utf16[Math.min(Math.max(span.getEnd(), 0), codePoints)];
            out[t] = new int[] {s, e};
            previousEnd = e;
        }
        return out;
    }

    /** Renders prefixes of one conversation with one set of variables and one clock reading. */
    private final class Renderer {
        final ChatTemplate template;
        final List<Object> messages;
        final Map<String, Object> base;
        final LocalDateTime now = LocalDateTime.now();

        Renderer(List<ChatMessage> conversation, Map<String, ?> variables) {
            checkOpen();
            Objects.requireNonNull(conversation, "messages");
            Objects.requireNonNull(variables, "variables");
            if (chatTemplate == null) {
                if (templateProblem != null) {
                    throw templateProblem;
                }
                throw new IllegalStateException(folder + " has no chat template (tokenizer_config.json has no "
                        + "chat_template and there is no chat_template.jinja)");
            }
            for (String reserved : List.of("messages", "add_generation_prompt")) {
                if (variables.containsKey(reserved)) {
                    throw new IllegalArgumentException("'" + reserved + "' is set by the method; remove it from "
                            + "the extra template variables");
                }
            }
            this.template = chatTemplate;
            List<Object> converted = new ArrayList<>();
            for (ChatMessage m : conversation) {
                converted.add(PyOps.fromJava(Objects.requireNonNull(m, "message")));
            }
            this.messages = Collections.unmodifiableList(converted);
            Map<String, Object> vars = new HashMap<>();
            vars.put("tools", null);
            vars.put("documents", null);
            for (Map.Entry<String, String> e : specialTokenNames.entrySet()) {
                vars.put(e.getKey(), e.getValue());
            }
            if (!additionalSpecialTokens.isEmpty()) {
                vars.put("additional_special_tokens", PyOps.fromJava(additionalSpecialTokens));
            }
            vars.putAll(ChatTemplate.convert(variables));
            this.base = vars;
        }

        JinjaRenderer.Result render(int messageCount, boolean addGenerationPrompt) {
            Map<String, Object> vars = new HashMap<>(base);
            vars.put("messages", Collections.unmodifiableList(messages.subList(0, messageCount)));
            vars.put("add_generation_prompt", addGenerationPrompt);
            return template.render(vars, now);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the tokenizer of " + folder + " is closed");
        }
    }

    /** Frees the native tokenizer; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tokenizer.close();
        }
    }

    /** The folder the tokenizer was loaded from. */
    public Path folder() {
        return folder;
    }
}
