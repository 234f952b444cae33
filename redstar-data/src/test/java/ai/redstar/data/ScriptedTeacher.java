package ai.redstar.data;

import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.data.sample.FinishReason;
import ai.redstar.data.sample.Sample;
import ai.redstar.data.sample.SampleFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic teacher for "What is A + B?" questions. Sample i depends only on the question and i:
 * <ul>
 *   <li>i % 5 == 0: right, long (40 reasoning steps);</li>
 *   <li>i % 5 == 1: wrong (A + B + 1), 30 steps;</li>
 *   <li>i % 5 == 2: cut at the length limit inside the thinking;</li>
 *   <li>i % 5 == 3: right, short (10 steps);</li>
 *   <li>i % 5 == 4: right answer after a paragraph repeated six times (a loop).</li>
 * </ul>
 */
final class ScriptedTeacher implements SampleFunction {
    private static final Pattern SUM = Pattern.compile("(\\d+) \\+ (\\d+)");

    @Override
    public List<Sample> sample(List<ChatMessage> messages, int n, long seed) {
        String question = messages.get(messages.size() - 1).content();
        Matcher m = SUM.matcher(question);
        long sum = 0;
        while (m.find()) {
            sum = Long.parseLong(m.group(1)) + Long.parseLong(m.group(2));
        }
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(sample(sum, i));
        }
        return out;
    }

    static Sample sample(long sum, int i) {
        return switch (i % 5) {
            case 0 -> stop(reasoning(40, sum) + "</think>\n\nThe answer is $\\boxed{" + sum + "}$.");
            case 1 -> stop(reasoning(30, sum) + "</think>\n\nThe answer is $\\boxed{" + (sum + 1) + "}$.");
            case 2 -> new Sample(Optional.empty(), reasoning(50, sum), FinishReason.LENGTH, "length",
                    OptionalInt.empty());
            case 3 -> stop(reasoning(10, sum) + "</think>\n\nSo $\\boxed{" + sum + "}$.");
            default -> stop(reasoning(5, sum) + ("Wait, I should double-check this addition by a completely "
                    + "different method, carry by carry, before I commit to the final answer here.\n\n").repeat(6)
                    + "</think>\n\n$\\boxed{" + sum + "}$");
        };
    }

    private static Sample stop(String text) {
        return new Sample(Optional.empty(), text, FinishReason.STOP, "stop", OptionalInt.empty());
    }

    private static String reasoning(int steps, long sum) {
        StringBuilder s = new StringBuilder("<think>\n");
        for (int k = 0; k < steps; k++) {
            s.append("Step ").append(k).append(": the partial value ").append(sum * (k + 3)).append(" divided by ")
                    .append(k + 3).append(" leaves ").append(sum).append(".\n");
        }
        return s.toString();
    }
}
