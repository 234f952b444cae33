package ai.redstar.data.problem;

import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.verify.Gold;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a problem into the conversation put to the teacher: an optional system message and a user message made
 * from a template per kind of gold, in which {@code {question}} stands for the problem's question.
 *
 * <pre>{@code
 * PromptTemplate.standard();                                  // math: "... within \boxed{}." and so on
 * PromptTemplate.uniform("{question}").withSystem("You are a careful mathematician.");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class PromptTemplate {
    /** The placeholder replaced by the question. */
    public static final String QUESTION = "{question}";

    /** The instruction the Qwen and DeepSeek math evaluations append to math questions. */
    public static final String MATH_INSTRUCTION =
            "Please reason step by step, and put your final answer within \\boxed{}.";
    /** The instruction appended to multiple-choice questions by {@link #standard()}. */
    public static final String CHOICE_INSTRUCTION =
            "Please reason step by step, and put the letter of the correct option within \\boxed{}.";
    /** The instruction appended to programming questions by {@link #standard()}. */
    public static final String CODE_INSTRUCTION =
            "Please reason step by step, then write the complete Python 3 program in a ```python code block.";

    private final String system;
    private final String math;
    private final String choice;
    private final String code;

    private PromptTemplate(String system, String math, String choice, String code) {
        this.system = system;
        this.math = check(math, "math");
        this.choice = check(choice, "choice");
        this.code = check(code, "code");
    }

    private static String check(String template, String kind) {
        Objects.requireNonNull(template, kind);
        if (!template.contains(QUESTION)) {
            throw new IllegalArgumentException("the " + kind + " template \"" + template + "\" has no " + QUESTION
                    + " placeholder; the question would not reach the teacher");
        }
        return template;
    }

    /** The question followed by an instruction for its kind: {@link #MATH_INSTRUCTION}, {@link #CHOICE_INSTRUCTION}, {@link #CODE_INSTRUCTION}. */
    public static PromptTemplate standard() {
        return new PromptTemplate(null, QUESTION + "\n\n" + MATH_INSTRUCTION, QUESTION + "\n\n" + CHOICE_INSTRUCTION,
                QUESTION + "\n\n" + CODE_INSTRUCTION);
    }

    /** The question alone. */
    public static PromptTemplate plain() {
        return uniform(QUESTION);
    }

    /** One template for every kind of problem. */
    public static PromptTemplate uniform(String template) {
        return new PromptTemplate(null, template, template, template);
    }

    /** Per-kind templates. */
    public static PromptTemplate of(String mathTemplate, String choiceTemplate, String codeTemplate) {
        return new PromptTemplate(null, mathTemplate, choiceTemplate, codeTemplate);
    }

    /** This template with a system message first. */
    public PromptTemplate withSystem(String systemMessage) {
        return new PromptTemplate(Objects.requireNonNull(systemMessage, "systemMessage"), math, choice, code);
    }

    public Optional<String> system() {
        return Optional.ofNullable(system);
    }

    /** The conversation for a problem: the system message, if any, then the user message. */
    public List<ChatMessage> messages(Problem problem) {
        Objects.requireNonNull(problem, "problem");
        Gold gold = problem.gold();
        String template = gold instanceof Gold.Math ? math : gold instanceof Gold.Choice ? choice : code;
        List<ChatMessage> messages = new ArrayList<>(2);
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(template.replace(QUESTION, problem.question())));
        return List.copyOf(messages);
    }

    /** A description for manifests: the templates and system message. */
    @Override
    public String toString() {
        return "PromptTemplate{system=" + (system == null ? "none" : "\"" + system + "\"") + ", math=\"" + math
                + "\", choice=\"" + choice + "\", code=\"" + code + "\"}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PromptTemplate t && Objects.equals(system, t.system) && math.equals(t.math)
                && choice.equals(t.choice) && code.equals(t.code);
    }

    @Override
    public int hashCode() {
        return Objects.hash(system, math, choice, code);
    }
}
