package ai.redstar.verify.math;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Finds the final answer in a response with single linear scans (no regular expressions), so that a
 * megabyte of text or thousands of unclosed boxes cost milliseconds. Immutable and thread-safe.
 */
final class Extractor {

    /** Phrases that introduce an answer, most specific first; the last occurrence in the text wins. */
    private static final String[] PHRASES = {
        "the final answer is", "final answer:", "final answer is", "final answer", "the answer is", "answer:",
        "answer is", "answer ="
    };

    private static final int MAX_PHRASE_ANSWER = 400;

    private final ThinkingPolicy thinking;
    private final BoxedPolicy boxed;
    private final boolean lastNumber;

    Extractor(ThinkingPolicy thinking, BoxedPolicy boxed, boolean lastNumber) {
        this.thinking = thinking;
        this.boxed = boxed;
        this.lastNumber = lastNumber;
    }

    Extraction extract(String response) {
        String text = response;
        if (thinking == ThinkingPolicy.STRIP) {
            int close = text.lastIndexOf("</think>");
            if (close >= 0) {
                text = text.substring(close + "</think>".length());
            } else if (text.contains("<think>")) {
                return new Extraction(List.of(), Extraction.Source.UNFINISHED_THINKING);
            }
        }
        List<String> boxes = new ArrayList<>();
        for (String box : boxes(text)) {
            if (!box.isBlank()) {
                boxes.add(box); // an empty \boxed{} is an echo of the prompt's instruction, not an answer
            }
        }
        if (!boxes.isEmpty()) {
            List<String> answers = boxed == BoxedPolicy.LAST ? List.of(boxes.get(boxes.size() - 1)) : boxes;
            return new Extraction(answers, Extraction.Source.BOXED);
        }
        String phrase = phrase(text);
        if (phrase != null) {
            return new Extraction(List.of(phrase), Extraction.Source.PHRASE);
        }
        if (lastNumber) {
            String number = lastNumber(text);
            if (number != null) {
                return new Extraction(List.of(number), Extraction.Source.LAST_NUMBER);
            }
        }
        return new Extraction(List.of(), Extraction.Source.NONE);
    }

    /** The gold answer: the last box if it has one, else the whole string. */
    static String gold(String gold) {
        List<String> boxes = boxes(gold);
        return boxes.isEmpty() ? gold : boxes.get(boxes.size() - 1);
    }

    /**
     * The contents of the complete, outermost {@code \boxed{...}} and {@code \fbox{...}} in order, in one pass:
     * a stack remembers the brace level at which each box opened. {@code \boxed 5} takes the next word.
     */
    static List<String> boxes(String text) {
        List<String> found = new ArrayList<>();
        Deque<int[]> open = new ArrayDeque<>();
        int level = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                int nameLength = text.startsWith("\\boxed", i) ? 6 : text.startsWith("\\fbox", i) ? 5 : 0;
                if (nameLength > 0) {
                    int j = i + nameLength;
                    while (j < n && text.charAt(j) == ' ') {
                        j++;
                    }
                    if (j < n && text.charAt(j) == '{') {
                        open.push(new int[] {j + 1, level});
                        level++;
                        i = j;
                    } else if (j > i + nameLength && j < n && open.isEmpty()) {
                        int end = j;
                        while (end < n && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '$') {
                            end++;
                        }
                        if (end > j) {
                            found.add(text.substring(j, end));
                        }
                        i = end - 1;
                    }
                    continue;
                }
                i++; // an escaped character such as \{ or \} does not count as a brace
                continue;
            }
            if (c == '{') {
                level++;
            } else if (c == '}') {
                level--;
                if (!open.isEmpty() && open.peek()[1] == level) {
                    int start = open.pop()[0];
                    if (open.isEmpty()) {
                        found.add(text.substring(start, i));
                    }
                }
                if (level < 0) {
                    level = 0;
                    open.clear();
                }
            }
        }
        return found;
    }

    /** The text after the last answer phrase, up to the end of its line or sentence. */
    private static String phrase(String text) {
        String lower = text.length() > 200_000 ? text.substring(text.length() - 200_000).toLowerCase(Locale.ROOT)
                : text.toLowerCase(Locale.ROOT);
        int bestStart = -1;
        for (String phrase : PHRASES) {
            int at = lower.lastIndexOf(phrase);
            if (at >= 0 && at + phrase.length() > bestStart) {
                bestStart = at + phrase.length();
            }
        }
        if (bestStart < 0) {
            return null;
        }
        String rest = text.substring(text.length() - lower.length() + bestStart);
        int end = 0;
        int n = Math.min(rest.length(), MAX_PHRASE_ANSWER);
        while (end < n) {
            char c = rest.charAt(end);
            if (c == '\n') {
                if (decoration(rest.substring(0, end))) {
                    end++;
                    continue;
                }
                break;
            }
            if (c == '.' && (end + 1 >= rest.length() || Character.isWhitespace(rest.charAt(end + 1)))
                    && !(end > 0 && Character.isDigit(rest.charAt(end - 1)) && end + 1 < rest.length()
                    && Character.isDigit(rest.charAt(end + 1)))) {
                break;
            }
            end++;
        }
        String answer = stripDecoration(rest.substring(0, end));
        int hope = answer.toLowerCase(Locale.ROOT).indexOf("i hope");
        if (hope >= 0) {
            answer = answer.substring(0, hope).trim();
        }
        while (answer.startsWith(":") || answer.startsWith("is ") || answer.startsWith("=")) {
            answer = stripDecoration(answer.substring(answer.startsWith("is ") ? 3 : 1));
        }
        while (answer.endsWith(".") || answer.endsWith(",")) {
            answer = answer.substring(0, answer.length() - 1).trim();
        }
        return answer.isEmpty() ? null : answer;
    }

    /** Whether text holds nothing but markdown decoration and punctuation ({@code **}, {@code #}, {@code :}). */
    private static boolean decoration(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && c != '*' && c != '#' && c != ':' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /** The text without surrounding white space and markdown emphasis ({@code **5**} is 5). */
    private static String stripDecoration(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && (Character.isWhitespace(text.charAt(start)) || text.charAt(start) == '*'
                || text.charAt(start) == '#')) {
            start++;
        }
        while (end > start && (Character.isWhitespace(text.charAt(end - 1)) || text.charAt(end - 1) == '*')) {
            end--;
        }
        return text.substring(start, end);
    }

    /** The last number in the text, with its sign, decimal part and a following {@code /denominator}. */
    private static String lastNumber(String text) {
        int i = text.length() - 1;
        while (i >= 0 && !Character.isDigit(text.charAt(i))) {
            i--;
        }
        if (i < 0) {
            return null;
        }
        int end = i + 1;
        int start = i;
        while (start > 0 && (Character.isDigit(text.charAt(start - 1)) || (text.charAt(start - 1) == '.'
                || text.charAt(start - 1) == ',' || text.charAt(start - 1) == '/') && start >= 2
                && Character.isDigit(text.charAt(start - 2)))) {
            start--;
        }
        if (start > 0 && text.charAt(start - 1) == '-') {
            start--;
        }
        return text.substring(start, end);
    }
}
