package ai.redstar.verify.code;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the program in a model response: the last closed fenced block labelled Python ({@code ```python},
 * {@code ```py}, {@code ```python3}), else the last closed unlabelled block ({@code ```}); blocks labelled with
 * another language and an unclosed final fence (a truncated response) are never taken. Text inside
 * {@code <think>...</think>} is skipped when asked: only what follows the last {@code </think>} is read, and a
 * response whose {@code <think>} is never closed has no code.
 */
final class CodeBlocks {

    private static final Set<String> PYTHON = Set.of("python", "python3", "py", "py3");

    private CodeBlocks() {}

    static Optional<String> lastPythonBlock(String response, boolean ignoreThinking) {
        String text = response;
        if (ignoreThinking) {
            int close = text.lastIndexOf("</think>");
            if (close >= 0) {
                text = text.substring(close + "</think>".length());
            } else if (text.contains("<think>")) {
                return Optional.empty();
            }
        }
        String lastPython = null;
        String lastPlain = null;
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String opening = lines[i].strip();
            if (!opening.startsWith("```")) {
                i++;
                continue;
            }
            int ticks = 0;
            while (ticks < opening.length() && opening.charAt(ticks) == '`') {
                ticks++;
            }
            String info = opening.substring(ticks).strip();
            String language = info.isEmpty() ? "" : info.split("[\\s{]", 2)[0].toLowerCase(Locale.ROOT);
            StringBuilder body = new StringBuilder();
            int j = i + 1;
            boolean closed = false;
            for (; j < lines.length; j++) {
                String l = lines[j].strip();
                if (l.length() >= ticks && l.chars().allMatch(c -> c == '`')) {
                    closed = true;
                    break;
                }
                body.append(lines[j].endsWith("\r") ? lines[j].substring(0, lines[j].length() - 1) : lines[j])
                        .append('\n');
            }
            if (!closed) {
                break;
            }
            if (PYTHON.contains(language)) {
                lastPython = body.toString();
            } else if (language.isEmpty()) {
                lastPlain = body.toString();
            }
            i = j + 1;
        }
        String chosen = lastPython != null ? lastPython : lastPlain;
        return chosen == null || chosen.isBlank() ? Optional.empty() : Optional.of(chosen);
    }
}
