package ai.redstar.data.geo;

import java.util.List;

/** Writes teacher traces in each {@link TraceStyle}. */
final class Traces {
    private Traces() {
    }

    /**
     * A trace: the reading, the steps, the option they reach, then the final answer line.
     *
     * @param value the option text the steps reach
     * @param letter that option's letter
     */
    static String write(TraceStyle style, String reading, List<String> steps, String value, char letter) {
        String finalLine = "The answer is \\boxed{" + letter + "}.";
        if (style == TraceStyle.ANSWER_ONLY) {
            return finalLine;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(reading).append('\n');
        for (String step : steps) {
            sb.append(step).append('\n');
        }
        sb.append("The result, ").append(value).append(", is option ").append(letter).append('.');
        return switch (style) {
            case THINKING -> "<think>\n" + sb + "\n</think>\n\n" + finalLine;
            case STEPS -> sb + "\n\n" + finalLine;
            case ANSWER_ONLY -> throw new AssertionError("handled above");
        };
    }
}
