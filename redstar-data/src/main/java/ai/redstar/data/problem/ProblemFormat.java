package ai.redstar.data.problem;

import ai.redstar.core.jsonl.JsonlException;
import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.verify.Gold;
import ai.redstar.verify.choice.ChoiceOptions;
import ai.redstar.verify.math.Extraction;
import ai.redstar.verify.math.MathAnswers;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How the fields of an input record map onto a {@link Problem}: which field holds the id, the question, the gold
 * answer (a {@link GoldField}), the source and the declared level. Every other field is carried through as an extra
 * field. Ready mappings: {@link #math()}, {@link #gsm8k()}, {@link #taco()}, {@link #multipleChoice()} and
 * {@link #generic()}; others with {@link #builder(String, GoldField)}.
 *
 * <pre>{@code
 * ProblemFormat format = ProblemFormat.builder("prompt", new GoldField.Answer("final_answer"))
 *         .idField("uid").levelField("rating").defaultSource("my-set").build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ProblemFormat {
    private static final MathAnswers BOXED = MathAnswers.defaults();

    private final String name;
    private final String questionField;
    private final GoldField gold;
    private final String idField;
    private final String levelField;
    private final String sourceField;
    private final String defaultSource;
    private final Set<String> mapped;

    private ProblemFormat(Builder b) {
        this.name = b.name == null ? "custom" : b.name;
        this.questionField = b.questionField;
        this.gold = b.gold;
        this.idField = b.idField == null ? "id" : b.idField;
        this.levelField = b.levelField == null ? "level" : b.levelField;
        this.sourceField = b.sourceField == null ? "source" : b.sourceField;
        this.defaultSource = b.defaultSource;
        Set<String> m = new LinkedHashSet<>();
        m.add(questionField);
        m.addAll(gold.fields());
        m.add(idField);
        m.add(levelField);
        m.add(sourceField);
        this.mapped = Set.copyOf(m);
    }

    /**
     * Hendrycks MATH (and MATH-500): {@code problem}, the answer in the last {@code \boxed{}} of {@code solution},
     * {@code level} ("Level 5"), id {@code unique_id} when present, source "MATH" unless a {@code source} field says
     * otherwise.
     */
    public static ProblemFormat math() {
        return builder("problem", new GoldField.BoxedSolution("solution")).name("math").idField("unique_id")
                .defaultSource("MATH").build();
    }

    /** GSM8K: {@code question}, the answer after {@code ####} at the end of {@code answer}, source "gsm8k". */
    public static ProblemFormat gsm8k() {
        return builder("question", new GoldField.AfterMarker("answer", "####")).name("gsm8k").defaultSource("gsm8k")
                .build();
    }

    /**
     * TACO/APPS: {@code question}, tests in {@code input_output}, level in {@code difficulty} ("EASY",
     * "interview"), id {@code problem_id} when present (APPS), source "taco" unless a {@code source} field says
     * otherwise.
     */
    public static ProblemFormat taco() {
        return builder("question", new GoldField.CodeTests("input_output")).name("taco").idField("problem_id")
                .levelField("difficulty").defaultSource("taco").build();
    }

    /**
     * GeoQA-style multiple choice: {@code question}, options in {@code choices} (an array or one text), the letter
     * (or 0-based index) in {@code answer}.
     */
    public static ProblemFormat multipleChoice() {
        return builder("question", new GoldField.Choice("answer", "choices")).name("choice").build();
    }

    /** The library's own problem format: {@code id}, {@code question}, {@code answer} (math), {@code source}, {@code level}. */
    public static ProblemFormat generic() {
        return builder("question", new GoldField.Answer("answer")).name("generic").build();
    }

    /** The ready mappings by name: math, gsm8k, taco, choice, generic. */
    public static Map<String, ProblemFormat> presets() {
        return Map.of("math", math(), "gsm8k", gsm8k(), "taco", taco(), "choice", multipleChoice(),
                "generic", generic());
    }

    /** A mapping with the question in {@code questionField} and the gold read as {@code gold} says. */
    public static Builder builder(String questionField, GoldField gold) {
        return new Builder(questionField, gold);
    }

    public String name() {
        return name;
    }

    public String questionField() {
        return questionField;
    }

    public GoldField gold() {
        return gold;
    }

    public String idField() {
        return idField;
    }

    public String levelField() {
        return levelField;
    }

    public String sourceField() {
        return sourceField;
    }

    public Optional<String> defaultSource() {
        return Optional.ofNullable(defaultSource);
    }

    /** The input fields this mapping reads; all others are extra fields. */
    public Set<String> mappedFields() {
        return mapped;
    }

    /**
     * Reads one record.
     *
     * @throws JsonlException naming the file, the line and the field when a mapped field is missing, empty or of the
     *     wrong type, or holds no answer
     */
    public Problem read(JsonlRecord record) {
        Objects.requireNonNull(record, "record");
        String question = record.nonEmptyString(questionField);
        String id = scalar(record, idField).orElseGet(() -> stem(record) + ":" + record.lineNumber());
        String source = scalar(record, sourceField).orElseGet(() -> defaultSource != null ? defaultSource : stem(record));
        Optional<String> level = scalar(record, levelField);
        Gold goldValue;
        String answer;
        if (gold instanceof GoldField.Answer a) {
            answer = scalar(record, a.field()).orElseThrow(() -> record.problem("field '" + a.field() + "' is missing"));
            if (answer.isBlank()) {
                throw record.problem("field '" + a.field() + "' is blank; the gold answer is needed");
            }
            goldValue = Gold.math(answer);
        } else if (gold instanceof GoldField.BoxedSolution b) {
            String solution = record.nonEmptyString(b.field());
            Extraction e = BOXED.extract(solution);
            if (e.source() != Extraction.Source.BOXED || e.answer().isEmpty() || e.answer().get().isBlank()) {
                throw record.problem("field '" + b.field() + "' has no \\boxed{...} answer (found "
                        + quote(solution) + "); MATH solutions end with the answer in \\boxed{}");
            }
            answer = e.answer().get();
            goldValue = Gold.math(answer);
        } else if (gold instanceof GoldField.AfterMarker m) {
            String solution = record.nonEmptyString(m.field());
            int at = solution.lastIndexOf(m.marker());
            if (at < 0) {
                throw record.problem("field '" + m.field() + "' has no '" + m.marker() + "' before the answer (found "
                        + quote(solution) + ")");
            }
            answer = removeThousandsSeparators(solution.substring(at + m.marker().length()).strip());
            if (answer.isEmpty()) {
                throw record.problem("field '" + m.field() + "' has nothing after '" + m.marker() + "'");
            }
            goldValue = Gold.math(answer);
        } else if (gold instanceof GoldField.CodeTests t) {
            JsonElement tests = record.json().get(t.field());
            if (tests == null || tests.isJsonNull()) {
                throw record.problem("field '" + t.field() + "' is missing; code problems need test cases");
            }
            String json = tests.isJsonPrimitive() && tests.getAsJsonPrimitive().isString() ? tests.getAsString()
                    : tests.toString();
            try {
                goldValue = Gold.code(ai.redstar.verify.code.CodeTests.fromInputOutputJson(json));
            } catch (IllegalArgumentException e) {
                throw record.problem("field '" + t.field() + "': " + e.getMessage());
            }
            answer = "";
        } else {
            GoldField.Choice c = (GoldField.Choice) gold;
            ChoiceOptions options = options(record, c.choicesField());
            answer = letters(record, c.answerField(), options);
            goldValue = Gold.choice(answer, options);
            question = withOptions(question, options);
        }
        JsonObject extra = new JsonObject();
        for (Map.Entry<String, JsonElement> e : record.json().entrySet()) {
            if (!mapped.contains(e.getKey())) {
                extra.add(e.getKey(), e.getValue());
            }
        }
        return new Problem(record.lineNumber(), id, question, goldValue, answer, source, level, extra);
    }

    private static ChoiceOptions options(JsonlRecord record, String field) {
        JsonElement value = record.json().get(field);
        if (value == null || value.isJsonNull()) {
            throw record.problem("field '" + field + "' is missing; multiple-choice problems need their options");
        }
        try {
            if (value.isJsonArray()) {
                List<String> texts = new ArrayList<>();
                JsonArray array = value.getAsJsonArray();
                for (int i = 0; i < array.size(); i++) {
                    JsonElement item = array.get(i);
                    if (!item.isJsonPrimitive()) {
                        throw record.problem("field '" + field + "' item " + i + " is not a text or number");
                    }
                    texts.add(item.getAsString());
                }
                return ChoiceOptions.of(texts);
            }
            if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
                return ChoiceOptions.parse(value.getAsString());
            }
        } catch (IllegalArgumentException e) {
            throw record.problem("field '" + field + "': " + e.getMessage());
        }
        throw record.problem("field '" + field + "' must be an array of option texts or one text listing them");
    }

    private static String letters(JsonlRecord record, String field, ChoiceOptions options) {
        JsonElement value = record.json().get(field);
        if (value == null || value.isJsonNull()) {
            throw record.problem("field '" + field + "' is missing");
        }
        if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
            double index = value.getAsDouble();
            if (index != Math.rint(index) || index < 0 || index >= options.size()) {
                throw record.problem("field '" + field + "' is option index " + value + ", expected 0 to "
                        + (options.size() - 1));
            }
            return String.valueOf((char) ('A' + (int) index));
        }
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw record.problem("field '" + field + "' must hold the answer letters or a 0-based option index");
        }
        String text = value.getAsString().strip().toUpperCase(Locale.ROOT);
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch >= 'A' && ch <= 'Z') {
                if (!options.contains(ch)) {
                    throw record.problem("field '" + field + "' names option " + ch + " but only A to "
                            + options.lastLetter() + " exist");
                }
                letters.append(ch);
            } else if (",; ()".indexOf(ch) < 0) {
                throw record.problem("field '" + field + "' is \"" + quote(value.getAsString())
                        + "\"; expected option letters such as \"B\" or \"A, C\"");
            }
        }
        if (letters.length() == 0) {
            throw record.problem("field '" + field + "' holds no option letter");
        }
        return letters.toString();
    }

    /** The question with its options appended, one per line, unless it already lists every option. */
    static String withOptions(String question, ChoiceOptions options) {
        try {
            if (ChoiceOptions.parse(question).size() >= options.size()) {
                return question;
            }
        } catch (IllegalArgumentException notListed) {
            // the question does not list its options: append them
        }
        StringBuilder s = new StringBuilder(question.stripTrailing()).append("\n");
        for (int i = 0; i < options.size(); i++) {
            char letter = (char) ('A' + i);
            s.append('\n').append(letter).append(". ").append(options.text(letter));
        }
        return s.toString();
    }

    /** A string or number field as text; empty when absent or null. */
    private static Optional<String> scalar(JsonlRecord record, String field) {
        JsonElement value = record.json().get(field);
        if (value == null || value.isJsonNull()) {
            return Optional.empty();
        }
        if (!value.isJsonPrimitive()) {
            throw record.problem("field '" + field + "' must be a string or a number");
        }
        JsonPrimitive p = value.getAsJsonPrimitive();
        return Optional.of(p.isNumber() ? p.getAsNumber().toString() : p.getAsString());
    }

    private static String stem(JsonlRecord record) {
        String name = record.file().getFileName() == null ? "problems" : record.file().getFileName().toString();
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    static String removeThousandsSeparators(String answer) {
        if (answer.indexOf(',') < 0) {
            return answer;
        }
        // only "1,234" forms: commas each followed by exactly three digits and preceded by a digit
        StringBuilder s = new StringBuilder(answer.length());
        for (int i = 0; i < answer.length(); i++) {
            char ch = answer.charAt(i);
            if (ch == ',' && i > 0 && Character.isDigit(answer.charAt(i - 1)) && digits(answer, i + 1, 3)
                    && (i + 4 >= answer.length() || !Character.isDigit(answer.charAt(i + 4)))) {
                continue;
            }
            s.append(ch);
        }
        return s.toString();
    }

    private static boolean digits(String s, int from, int count) {
        if (from + count > s.length()) {
            return false;
        }
        for (int i = from; i < from + count; i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String quote(String text) {
        String flat = text.replace('\n', ' ');
        return flat.length() <= 60 ? flat : "..." + flat.substring(flat.length() - 57);
    }

    @Override
    public String toString() {
        return "ProblemFormat{" + name + ": question=" + questionField + ", gold=" + gold + ", id=" + idField
                + ", level=" + levelField + ", source=" + sourceField + "}";
    }

    /** Settings of a {@link ProblemFormat}; each may be set once. */
    public static final class Builder {
        private final String questionField;
        private final GoldField gold;
        private String name;
        private String idField;
        private String levelField;
        private String sourceField;
        private String defaultSource;
        private final List<String> problems = new ArrayList<>();

        private Builder(String questionField, GoldField gold) {
            this.questionField = Objects.requireNonNull(questionField, "questionField");
            this.gold = Objects.requireNonNull(gold, "gold");
        }

        private void once(Object current, String property) {
            if (current != null) {
                problems.add(property + " was set twice");
            }
        }

        /** A short name for reports (default "custom"). */
        public Builder name(String name) {
            once(this.name, "name");
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The field holding the problem id (default "id"); without it the id is {@code <file stem>:<line>}. */
        public Builder idField(String field) {
            once(this.idField, "idField");
            this.idField = Objects.requireNonNull(field, "field");
            return this;
        }

        /** The field holding the declared difficulty level (default "level"); optional in each record. */
        public Builder levelField(String field) {
            once(this.levelField, "levelField");
            this.levelField = Objects.requireNonNull(field, "field");
            return this;
        }

        /** The field naming the problem's source (default "source"); optional in each record. */
        public Builder sourceField(String field) {
            once(this.sourceField, "sourceField");
            this.sourceField = Objects.requireNonNull(field, "field");
            return this;
        }

        /** The source of records without a source field (default: the input file name without extension). */
        public Builder defaultSource(String source) {
            once(this.defaultSource, "defaultSource");
            this.defaultSource = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming every problem: a property set twice, a blank field name, or one
         *     field mapped twice
         */
        public ProblemFormat build() {
            List<String> all = new ArrayList<>(problems);
            List<String> names = new ArrayList<>();
            names.add(questionField);
            names.addAll(gold.fields());
            if (idField != null) {
                names.add(idField);
            }
            if (levelField != null) {
                names.add(levelField);
            }
            if (sourceField != null) {
                names.add(sourceField);
            }
            Set<String> seen = new LinkedHashSet<>();
            for (String n : names) {
                if (n.isBlank()) {
                    all.add("a field name is blank");
                } else if (!seen.add(n)) {
                    all.add("field '" + n + "' is mapped twice");
                }
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid ProblemFormat: " + String.join("; ", all));
            }
            return new ProblemFormat(this);
        }
    }
}
