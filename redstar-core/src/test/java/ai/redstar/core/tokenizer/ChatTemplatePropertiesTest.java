package ai.redstar.core.tokenizer;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Arbitrary template text: a rendering or an IllegalArgumentException, nothing else, and never a hang. */
class ChatTemplatePropertiesTest {
    private static final Map<String, Object> VARIABLES = ChatTemplate.convert(Map.of(
            "messages", List.of(ChatMessage.system("sys"), ChatMessage.user("hi"), ChatMessage.assistant("yo")),
            "add_generation_prompt", true, "bos_token", "<s>", "n", 3, "d", Map.of("k", List.of(1, 2.5, "x"))));

    @Provide
    Arbitrary<String> templates() {
        Arbitrary<String> fragments = Arbitraries.of("{{", "}}", "{%", "%}", "{#", "#}", "-", "+", " ", "\n", "(",
                ")", "[", "]", "{", "}", "'", "\"", "|", ".", ",", ":", "=", "==", "~", "*", "**", "/", "//", "%",
                "<", ">", "!", "if", "elif", "else", "endif", "for", "endfor", "in", "not", "and", "or", "is", "set",
                "endset", "with", "endwith", "filter", "endfilter", "break", "continue", "raw", "endraw", "loop",
                "range", "namespace", "ns", "messages", "m", "x", "n", "d", "0", "1", "-1", "9999999", "1.5", "'a'",
                "\\", "trim", "length", "tojson", "join", "select", "map", "items", "defined", "none", "true",
                "content", "role", "raise_exception", "generation", "endgeneration", "macro", "\u00e9", "😀",
                "range(100000)", "for i in range(99999)", "'ab' * n", "recursive", "loop.index", "[::-1]", "ns.a");
        return fragments.list().ofMaxSize(30).map(l -> String.join("", l));
    }

    @Property(tries = 2000)
    void arbitraryTemplate_rendersOrFailsWithIllegalArgument(@ForAll("templates") String source) {
        ChatTemplate template;
        try {
            template = ChatTemplate.parse(source, 200_000, 100_000);
        } catch (IllegalArgumentException expected) {
            return;
        }
        try {
            template.render(VARIABLES, LocalDateTime.of(2025, 1, 2, 3, 4));
        } catch (IllegalArgumentException expected) {
            // a template that fails at render time reports it this way, never otherwise
        }
    }

    private Arbitrary<String> expressions(int depth) {
        Arbitrary<String> atoms = Arbitraries.of("messages", "messages[0]", "messages[-1].content", "n", "d", "d.k",
                "d['k'][1]", "x", "loop.index", "ns.a", "'s'", "\"t\"", "1", "0", "-3", "2.5", "none", "true",
                "[1, 'a']", "{'a': n}", "(1, 2)", "range(n)", "bos_token", "missing", "messages | length",
                "namespace(a=1)");
        if (depth == 0) {
            return atoms;
        }
        Arbitrary<String> sub = Arbitraries.lazy(() -> expressions(depth - 1));
        Arbitrary<String> binary = Arbitraries.of("+", "-", "*", "/", "//", "%", "**", "~", "==", "!=", "<", ">=",
                "in", "not in", "and", "or").flatMap(op -> sub.list().ofSize(2).map(l -> "(" + l.get(0) + " " + op
                        + " " + l.get(1) + ")"));
        Arbitrary<String> filtered = Arbitraries.of("trim", "length", "tojson", "tojson(indent=2)", "upper", "lower",
                "first", "last", "list", "join(', ')", "default('z')", "items", "reverse", "sort", "unique",
                "select('odd')", "selectattr('role', 'equalto', 'user')", "map(attribute='role')", "string", "int",
                "float", "abs", "round(1)", "title", "capitalize", "replace('a', 'b')", "indent(2)", "sum", "max",
                "dictsort", "wordcount", "e", "safe", "count", "attr('role')")
                .flatMap(f -> sub.map(e -> "(" + e + " | " + f + ")"));
        Arbitrary<String> tested = Arbitraries.of("defined", "none", "string", "number", "mapping", "iterable",
                "odd", "even", "divisibleby(2)", "eq 1", "in [1, 2]", "sameas none", "not defined")
                .flatMap(t -> sub.map(e -> "(" + e + " is " + t + ")"));
        Arbitrary<String> other = Arbitraries.oneOf(sub.map(e -> "not " + e), sub.map(e -> e + "[1:]"),
                sub.map(e -> e + "[0]"), sub.map(e -> e + ".strip()"), sub.map(e -> e + ".split(',')"),
                sub.map(e -> e + ".items()"), sub.list().ofSize(3).map(l -> "(" + l.get(0) + " if " + l.get(1)
                        + " else " + l.get(2) + ")"));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, atoms), net.jqwik.api.Tuple.of(2, binary),
                net.jqwik.api.Tuple.of(2, filtered), net.jqwik.api.Tuple.of(1, tested),
                net.jqwik.api.Tuple.of(1, other));
    }

    private Arbitrary<String> statements(int depth) {
        Arbitrary<String> expr = expressions(2);
        Arbitrary<String> simple = Arbitraries.oneOf(expr.map(e -> "{{ " + e + " }}"),
                expr.map(e -> "{%- set x = " + e + " %}"), expr.map(e -> "{% set ns.a = " + e + " -%}"),
                Arbitraries.of("text\n", "  ", "{# c #}", "{% break %}", "{% continue %}", "{{ raise_exception('r') }}"));
        if (depth == 0) {
            return simple;
        }
        Arbitrary<String> body = Arbitraries.lazy(() -> statements(depth - 1)).list().ofMaxSize(3)
                .map(l -> String.join("", l));
        Arbitrary<String> ifs = net.jqwik.api.Combinators.combine(expr, body, body)
                .as((e, a, b) -> "{% if " + e + " %}" + a + "{% else %}" + b + "{% endif %}");
        Arbitrary<String> fors = net.jqwik.api.Combinators.combine(expr, body)
                .as((e, a) -> "{% for x in " + e + " %}" + a + "{% endfor %}");
        return Arbitraries.oneOf(simple, ifs, fors);
    }

    @Property(tries = 1000)
    void structuredTemplate_rendersOrFailsWithIllegalArgument(@ForAll("structured") String body) {
        String source = "{% set ns = namespace(a=0) %}" + body;
        try {
            ChatTemplate.parse(source, 200_000, 100_000).render(VARIABLES, LocalDateTime.of(2025, 1, 2, 3, 4));
        } catch (IllegalArgumentException expected) {
            // a template that fails reports it this way, never otherwise
        }
    }

    @Provide
    Arbitrary<String> structured() {
        return statements(2).list().ofMaxSize(4).map(l -> String.join("", l));
    }

    @Property(tries = 300)
    void arbitraryText_rendersOrFailsWithIllegalArgument(@ForAll String source) {
        try {
            ChatTemplate.parse(source, 200_000, 100_000).render(VARIABLES, LocalDateTime.of(2025, 1, 2, 3, 4));
        } catch (IllegalArgumentException expected) {
            // fine
        }
    }
}
