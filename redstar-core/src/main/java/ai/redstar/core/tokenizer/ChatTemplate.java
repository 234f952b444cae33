package ai.redstar.core.tokenizer;

import ai.redstar.core.tokenizer.JinjaLexer.Source;
import ai.redstar.core.tokenizer.JinjaLexer.SyntaxError;
import ai.redstar.core.tokenizer.JinjaNode.RenderFailure;
import ai.redstar.core.tokenizer.JinjaNode.Stmt;
import ai.redstar.core.tokenizer.JinjaRenderer.RaisedException;
import ai.redstar.core.tokenizer.JinjaValues.JinjaError;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template (a Jinja2 string from {@code tokenizer_config.json}), parsed once and rendered the
 * way transformers' {@code apply_chat_template} renders it: Jinja's immutable sandbox with {@code trim_blocks} and
 * {@code lstrip_blocks}, the {@code loopcontrols} extension, transformers' {@code tojson} ({@code json.dumps} without
 * HTML escaping), {@code raise_exception(message)} and {@code strftime_now(format)}, and the {@code {% generation %}}
 * tag. The subset covers the templates of Qwen2/2.5, Llama 3.x, DeepSeek-R1 distills and Mistral (statements
 * {@code for}/{@code if}/{@code set}/{@code with}/{@code filter}/{@code break}/{@code continue}, {@code namespace()},
 * Jinja's filters and tests, Python string/dict/list methods, slicing, {@code loop.*}).
 *
 * <p>Exactness: outputs are checked byte for byte against Python's jinja2 configured as transformers configures it
 * (the published templates of those families, feature probes and thousands of random expressions and statements),
 * down to Jinja's compile-time constant folding. Known limits, all of which fail loudly rather than differ: no
 * {@code macro}, {@code call}, {@code include}/{@code import}/{@code extends}/{@code block} tags, no recursive loops
 * or iteration of {@code loop} itself, no {@code str.format}, no {@code \N{...}} escapes, no {@code lipsum}/
 * {@code cycler}/{@code joiner}; integers are 64-bit (Python's are unbounded); {@code escape} returns a plain string
 * (Jinja's {@code Markup} also escapes what is later concatenated to it); character classes follow Java's Unicode
 * tables.
 *
 * <p>A template that uses something outside the subset is rejected by {@link #parse} with an
 * {@link IllegalArgumentException} naming the construct and its line and column (unknown filters and tests inside
 * {@code if} blocks and conditional expressions fail when evaluated, as in Jinja); there is never a fallback to
 * another template. Rendering stops with an {@link IllegalArgumentException} after {@link #DEFAULT_MAX_STEPS} steps
 * or {@link #DEFAULT_MAX_OUTPUT_CHARS} characters of output, so a hostile template cannot hang the caller.
 *
 * <p>Values passed in: {@code String}, {@code Boolean}, integral {@code Number}s (as Python int, 64-bit),
 * {@code Float}/{@code Double} (as Python float), {@code List}/arrays, {@code Map}s, {@link ChatMessage} (as
 * {@code {"role": ..., "content": ...}}), Gson {@code JsonElement}s and {@code null} (None); they are copied, so a
 * template cannot change them. Immutable and thread-safe.
 */
public final class ChatTemplate {
    /** Steps (statements, loop iterations, calls and filters) a render may take before it is stopped. */
    public static final long DEFAULT_MAX_STEPS = 10_000_000L;
    /** Characters a render may produce (and the longest string it may build) before it is stopped. */
    public static final int DEFAULT_MAX_OUTPUT_CHARS = 64 * 1024 * 1024;

    private final String source;
    private final Source normalized;
    private final List<Stmt> body;
    private final boolean marksGenerations;
    private final long maxSteps;
    private final int maxOutputChars;

    private ChatTemplate(String source, Source normalized, List<Stmt> body, long maxSteps, int maxOutputChars) {
        this.source = source;
        this.normalized = normalized;
        this.body = body;
        this.maxSteps = maxSteps;
        this.maxOutputChars = maxOutputChars;
        this.marksGenerations = normalized.text.contains("generation");
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException naming the line, column and construct when the template is not valid Jinja
     *     or uses a construct this renderer does not support
     */
    public static ChatTemplate parse(String source) {
        return parse(source, DEFAULT_MAX_STEPS, DEFAULT_MAX_OUTPUT_CHARS);
    }

    static ChatTemplate parse(String source, long maxSteps, int maxOutputChars) {
        Objects.requireNonNull(source, "source");
        Source normalized = new Source(source);
        try {
            List<Stmt> body = JinjaParser.parse(JinjaLexer.tokenize(normalized));
            return new ChatTemplate(source, normalized, body, maxSteps, maxOutputChars);
        } catch (SyntaxError e) {
            throw new IllegalArgumentException("chat template syntax error at " + normalized.where(e.position) + ": "
                    + e.getMessage() + " (in: " + normalized.excerpt(e.position) + ")", e);
        }
    }

    /** The template text as given. */
    public String source() {
        return source;
    }

    /**
     * Renders with the given variables (typically {@code messages}, {@code add_generation_prompt},
     * {@code bos_token}, {@code eos_token}, and template-specific ones such as {@code tools} or
     * {@code date_string}); {@code strftime_now} reads the current local time.
     *
     * @throws IllegalArgumentException when the template raises an exception, fails like Python would (an
     *     undefined attribute used, a type error), or exceeds the step or output limit; the message names the
     *     template line and column
     */
    public String render(Map<String, ?> variables) {
        return render(convert(variables), LocalDateTime.now()).text();
    }

    static Map<String, Object> convert(Map<String, ?> variables) {
        Objects.requireNonNull(variables, "variables");
        Map<String, Object> converted = new HashMap<>();
        for (Map.Entry<String, ?> e : variables.entrySet()) {
            converted.put(Objects.requireNonNull(e.getKey(), "variable name"), PyOps.fromJava(e.getValue()));
        }
        return converted;
    }

    /** Whether the template uses transformers' {@code {% generation %}} markers. */
    boolean marksGenerations() {
        return marksGenerations;
    }

    JinjaRenderer.Result render(Map<String, Object> converted, LocalDateTime now) {
        JinjaRenderer renderer = new JinjaRenderer(converted, maxSteps, maxOutputChars, now);
        try {
            return renderer.render(body);
        } catch (RaisedException e) {
            throw new IllegalArgumentException("chat template raised an error at " + normalized.where(e.position)
                    + ": " + e.getMessage(), e);
        } catch (RenderFailure e) {
            throw new IllegalArgumentException("chat template failed at " + normalized.where(e.position) + ": "
                    + e.getMessage() + " (in: " + normalized.excerpt(e.position) + ")", e);
        } catch (JinjaError e) {
            throw new IllegalArgumentException("chat template failed: " + e.getMessage(), e);
        } catch (StackOverflowError e) {
            throw new IllegalArgumentException("chat template failed: nested too deeply", e);
        }
    }
}
