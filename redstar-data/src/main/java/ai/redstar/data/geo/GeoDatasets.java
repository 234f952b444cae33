package ai.redstar.data.geo;

import ai.redstar.verify.Gold;
import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Verdict;
import ai.redstar.verify.choice.ChoiceOptions;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes geometry problems as a dataset directory and reads its problems back:
 * <pre>
 * dir/images/&lt;id&gt;.png
 * dir/&lt;name&gt;.jsonl            SFT records (TRL's vision format), one per problem
 * dir/&lt;name&gt;-problems.jsonl   the problems alone, for evaluation
 * </pre>
 * An SFT record in {@link MessageForm#STRUCTURED} form:
 * <pre>{@code
 * {"messages":[{"role":"user","content":[{"type":"image"},{"type":"text","text":"<question>\nA. ..\nB. ..\nC. ..\nD. .."}]},
 *              {"role":"assistant","content":[{"type":"text","text":"<trace>"}]}],
 *  "images":["images/<id>.png"],"id":"geo-7-0","level":2,"kind":"TRIANGLE_ANGLE_SUM","answer":"B",
 *  "choices":["60°","110°","70°","130°"],"trace_correct":true}
 * }</pre>
 * In {@link MessageForm#STRING} form the contents are strings and the user's is {@code "<image>\n<question + options>"}.
 * A problems record has the same fields without the assistant message and {@code trace_correct}, plus
 * {@code "question"}. Image paths are relative to the JSONL file (forward slashes).
 *
 * <p>Stateless and thread-safe; two writes into one directory at once are not.
 */
public final class GeoDatasets {
    /** The image placeholder of the {@link MessageForm#STRING} form. */
    public static final String IMAGE_PLACEHOLDER = "<image>";
    /** The folder of the PNGs, relative to the JSONL files. */
    public static final String IMAGES = "images";

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private GeoDatasets() {
    }

    /** How message contents are written. */
    public enum MessageForm {
        /** TRL's vision form: content is a list of {@code {"type":"image"}} and {@code {"type":"text",...}} parts. */
        STRUCTURED,
        /** Plain strings, the user's starting with {@value #IMAGE_PLACEHOLDER} and a newline. */
        STRING
    }

    /** What {@link #write} wrote. */
    public record Written(Path sft, Path problems, Path images, int records) {}

    /**
     * One problem read back from a problems JSONL file.
     *
     * @param image the absolute path of its PNG
     */
    public record Record(String id, int level, GeoKind kind, String question, List<String> choices, String answer,
            Path image) {
        public Record {
            choices = List.copyOf(choices);
        }

        /** The question followed by its options, as the model saw it. */
        public String prompt() {
            return GeoProblem.prompt(question, choices);
        }

        /** The gold for {@link RuleVerifier}: the letter with the option texts. */
        public Gold gold() {
            return Gold.choice(answer, ChoiceOptions.of(choices));
        }

        /** Grades a model's response against this problem. */
        public Verdict grade(RuleVerifier verifier, String response) {
            return verifier.verify(response, gold());
        }
    }

    /**
     * Writes {@code problems} into {@code directory} (created if needed) as {@code <name>.jsonl},
     * {@code <name>-problems.jsonl} and {@code images/<id>.png}; existing files of those names are replaced.
     *
     * @param name the file stem, e.g. {@code "train"}; letters, digits, '-', '_' and '.'
     * @throws IllegalArgumentException for a bad name or two problems with one id
     * @throws UncheckedIOException when a file cannot be written (the message names it)
     */
    public static Written write(Path directory, String name, List<GeoProblem> problems, MessageForm form) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(problems, "problems");
        Objects.requireNonNull(form, "form");
        if (name == null || !name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw new IllegalArgumentException("dataset name '" + name + "' must be letters, digits, '-', '_' or '.'"
                    + " and not start with '.', e.g. \"train\"");
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (GeoProblem p : problems) {
            if (!ids.add(p.id())) {
                throw new IllegalArgumentException("problem id '" + p.id() + "' occurs twice; ids name the image"
                        + " files, so generate each index once");
            }
        }
        Path images = directory.resolve(IMAGES);
        Path sft = directory.resolve(name + ".jsonl");
        Path eval = directory.resolve(name + "-problems.jsonl");
        Path current = images;
        try {
            Files.createDirectories(images);
            for (GeoProblem p : problems) {
                current = images.resolve(p.id() + ".png");
                Files.write(current, p.figure().png());
            }
            current = sft;
            try (BufferedWriter out = Files.newBufferedWriter(sft, StandardCharsets.UTF_8)) {
                for (GeoProblem p : problems) {
                    out.write(GSON.toJson(sftRecord(p, form)));
                    out.write('\n');
                }
            }
            current = eval;
            try (BufferedWriter out = Files.newBufferedWriter(eval, StandardCharsets.UTF_8)) {
                for (GeoProblem p : problems) {
                    out.write(GSON.toJson(problemRecord(p, form)));
                    out.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write geometry dataset file " + current + ": " + e.getMessage(), e);
        }
        return new Written(sft, eval, images, problems.size());
    }

    /** The SFT record of one problem (see the class documentation). */
    public static JsonObject sftRecord(GeoProblem p, MessageForm form) {
        JsonObject o = new JsonObject();
        JsonArray messages = new JsonArray();
        messages.add(userMessage(p.prompt(), form));
        JsonObject assistant = new JsonObject();
        assistant.addProperty("role", "assistant");
        if (form == MessageForm.STRUCTURED) {
            JsonArray content = new JsonArray();
            content.add(textPart(p.trace()));
            assistant.add("content", content);
        } else {
            assistant.addProperty("content", p.trace());
        }
        messages.add(assistant);
        o.add("messages", messages);
        fields(o, p);
        o.addProperty("trace_correct", p.traceCorrect());
        return o;
    }

    /** The evaluation record of one problem: the user message only, plus the question. */
    public static JsonObject problemRecord(GeoProblem p, MessageForm form) {
        JsonObject o = new JsonObject();
        JsonArray messages = new JsonArray();
        messages.add(userMessage(p.prompt(), form));
        o.add("messages", messages);
        fields(o, p);
        o.addProperty("question", p.question());
        return o;
    }

    private static void fields(JsonObject o, GeoProblem p) {
        JsonArray images = new JsonArray();
        images.add(IMAGES + "/" + p.id() + ".png");
        o.add("images", images);
        o.addProperty("id", p.id());
        o.addProperty("level", p.level());
        o.addProperty("kind", p.kind().name());
        o.addProperty("answer", p.answer());
        JsonArray choices = new JsonArray();
        p.choices().forEach(choices::add);
        o.add("choices", choices);
    }

    private static JsonObject userMessage(String prompt, MessageForm form) {
        JsonObject user = new JsonObject();
        user.addProperty("role", "user");
        if (form == MessageForm.STRUCTURED) {
            JsonArray content = new JsonArray();
            JsonObject image = new JsonObject();
            image.addProperty("type", "image");
            content.add(image);
            content.add(textPart(prompt));
            user.add("content", content);
        } else {
            user.addProperty("content", IMAGE_PLACEHOLDER + "\n" + prompt);
        }
        return user;
    }

    private static JsonObject textPart(String text) {
        JsonObject part = new JsonObject();
        part.addProperty("type", "text");
        part.addProperty("text", text);
        return part;
    }

    /**
     * Reads the problems of a problems JSONL file (either form) or an SFT JSONL file; each image path is resolved
     * against the file's folder and must exist.
     *
     * @throws IllegalArgumentException naming the file, line and field of a malformed record or a missing image
     * @throws UncheckedIOException when the file cannot be read
     */
    public static List<Record> readProblems(Path jsonl) {
        Objects.requireNonNull(jsonl, "jsonl");
        Path base = jsonl.toAbsolutePath().getParent();
        List<Record> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = jsonl + " line " + number;
                JsonObject o;
                try {
                    JsonElement e = JsonParser.parseString(line);
                    if (!e.isJsonObject()) {
                        throw new IllegalArgumentException(where + ": not a JSON object");
                    }
                    o = e.getAsJsonObject();
                } catch (JsonParseException e) {
                    throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage(), e);
                }
                out.add(record(o, base, where));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jsonl + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static Record record(JsonObject o, Path base, String where) {
        String id = string(o, "id", where);
        String answer = string(o, "answer", where);
        String kindName = string(o, "kind", where);
        GeoKind kind;
        try {
            kind = GeoKind.valueOf(kindName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": field 'kind' is '" + kindName + "', not a GeoKind", e);
        }
        if (!o.has("level") || !o.get("level").isJsonPrimitive()) {
            throw new IllegalArgumentException(where + ": field 'level' is missing or not a number");
        }
        int level = o.get("level").getAsInt();
        List<String> choices = new ArrayList<>();
        if (!o.has("choices") || !o.get("choices").isJsonArray()) {
            throw new IllegalArgumentException(where + ": field 'choices' is missing or not an array");
        }
        o.getAsJsonArray("choices").forEach(c -> choices.add(c.getAsString()));
        if (!o.has("images") || !o.get("images").isJsonArray() || o.getAsJsonArray("images").size() != 1) {
            throw new IllegalArgumentException(where + ": field 'images' must be an array of one path");
        }
        String relative = o.getAsJsonArray("images").get(0).getAsString();
        Path image = base.resolve(relative).normalize();
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException(where + " (record " + id + "): image '" + relative + "' not found at "
                    + image);
        }
        String question = o.has("question") ? string(o, "question", where) : kind.question();
        return new Record(id, level, kind, question, choices, answer, image);
    }

    private static String string(JsonObject o, String field, String where) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' is missing or not a string");
        }
        return e.getAsString();
    }
}
