package ai.redstar.examples.mini;

import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.data.sample.CustomSampler;
import ai.redstar.data.sample.FinishReason;
import ai.redstar.data.sample.Sample;
import ai.redstar.data.sample.SamplerException;
import ai.redstar.data.sample.TraceSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An imperfect teacher of {@link AdditionTask}: writes a long step-by-step trace, one line per column from the right
 * with the digit sum, the digit written and the carry, then reads the result off and boxes it:
 *
 * <pre>
 * &lt;think&gt;
 * We add 4738 and 2965 column by column, from the right.
 * 4738: 4 thousands 7 hundreds 3 tens 8 ones
 * 2965: 2 thousands 9 hundreds 6 tens 5 ones
 * ones: 8+5=13, write 3, carry 1
 * tens: 3+6+1=10, write 0, carry 1
 * hundreds: 7+9+1=17, write 7, carry 1
 * thousands: 4+2+1=7, write 7, carry 0
 * The last carry is 0, so nothing goes in front.
 * Reading the written digits from the left: 7703.
 * &lt;/think&gt;
 * The sum is \boxed{7703}.
 * </pre>
 *
 * A share of its traces ({@link Builder#flawRate}, growing by {@link Builder#flawRateStep} per level) holds one
 * slip: a column's sum off by one or a carry forgotten. Every later step follows from the slip, as it would in a
 * real trace, so the final answer is wrong by a power of ten and the verifier rejects it. Samples of one problem
 * differ in phrasing (opening, how a zero carry is written, closing, answer line), so several traces per problem are
 * distinct texts.
 *
 * <p>The trace of sample {@code i} depends only on the question, the seed and {@code i}. Immutable and thread-safe.
 */
public final class AdditionTeacher {
    /** The teacher's name in provenance records. */
    public static final String NAME = "mini-addition-teacher";

    static final String THINK = "<think>\n";
    static final String END_THINK = "</think>\n";
    static final String BOXED = "\\boxed{";
    static final String[] COLUMNS = {"ones: ", "tens: ", "hundreds: ", "thousands: ", "ten-thousands: ",
        "hundred-thousands: ", "millions: ", "ten-millions: ", "hundred-millions: "};
    static final String[] PLACES = {" ones", " tens", " hundreds", " thousands", " ten-thousands",
        " hundred-thousands", " millions", " ten-millions", " hundred-millions"};
    static final String[][] OPENINGS = {
        {"We add ", " and ", " column by column, from the right.\n"},
        {"Add ", " and ", " digit by digit, starting with the ones.\n"},
        {"Line up ", " and ", " and add each column from the right.\n"},
    };
    static final String WRITE = ", write ";
    static final String CARRY = ", carry ";
    static final String LAST_CARRY_ZERO = "The last carry is 0, so nothing goes in front.\n";
    static final String LAST_CARRY_ONE = "The last carry is 1, so a 1 goes in front.\n";
    static final String READ = "Reading the written digits from the left: ";
    static final String SO = "So ";
    static final String[] ANSWERS = {"The sum is ", "Answer: ", ""};

    private static final Pattern QUESTION = Pattern.compile("(\\d{1,9}) \\+ (\\d{1,9})");

    private final double flawRate;
    private final double flawRateStep;

    private AdditionTeacher(Builder b) {
        this.flawRate = b.flawRate == null ? 0.2 : b.flawRate;
        this.flawRateStep = b.flawRateStep == null ? 0.05 : b.flawRateStep;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The teacher with the default flaw rates: 20% at level 1, 5 points more per level. */
    public static AdditionTeacher standard() {
        return builder().build();
    }

    /** The share of flawed traces at {@code level}: {@code min(1, flawRate + flawRateStep × (level − 1))}. */
    public double flawRate(int level) {
        return Math.min(1.0, flawRate + flawRateStep * (level - 1));
    }

    /** The teacher as a {@link TraceSampler} for {@code LongCotDataset}: reads the operands off the last user message. */
    public CustomSampler sampler() {
        return TraceSampler.custom(NAME, this::sample);
    }

    /**
     * {@code n} traces for the question in the last user message of {@code messages}.
     *
     * @throws SamplerException (not retryable) when the last user message holds no {@code "A + B"}
     */
    public List<Sample> sample(List<ChatMessage> messages, int n, long seed) {
        String question = null;
        for (ChatMessage m : messages) {
            if (m.role() == ChatMessage.Role.USER) {
                question = m.content();
            }
        }
        Matcher match = question == null ? null : QUESTION.matcher(question);
        if (match == null || !match.find()) {
            throw new SamplerException(NAME + " answers only \"Compute A + B.\" questions of whole numbers of up to 9"
                    + " digits; the last user message was " + (question == null ? "missing" : "\"" + question + "\""),
                    false);
        }
        long left = Long.parseLong(match.group(1));
        long right = Long.parseLong(match.group(2));
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Sample.of(trace(left, right, seed, i).text(), FinishReason.STOP));
        }
        return out;
    }

    /** One trace with whether it holds a slip. */
    public record TeacherTrace(String text, boolean flawed) {
        public TeacherTrace {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Sample {@code sampleIndex} of {@code left + right} under {@code seed}. */
    public TeacherTrace trace(long left, long right, long seed, int sampleIndex) {
        if (left < 0 || right < 0) {
            throw new IllegalArgumentException("operands must be >= 0, got " + left + " and " + right);
        }
        String a = Long.toString(left);
        String b = Long.toString(right);
        int columns = Math.max(a.length(), b.length());
        if (columns > COLUMNS.length) {
            throw new IllegalArgumentException("operands of more than " + COLUMNS.length + " digits: " + left + ", "
                    + right);
        }
        int level = Math.max(1, columns - 1);
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + sampleIndex * 0xBF58476D1CE4E5B9L
                + left * 31 + right);
        boolean flawed = rng.nextDouble() < flawRate(level);
        int flawColumn = flawed ? rng.nextInt(columns) : -1;
        String[] opening = OPENINGS[rng.nextInt(OPENINGS.length)];
        boolean explicitZeroCarry = rng.nextBoolean();
        boolean readOff = rng.nextBoolean();
        String answerLine = ANSWERS[rng.nextInt(ANSWERS.length)];

        StringBuilder sb = new StringBuilder(64 + 40 * columns);
        sb.append(THINK).append(opening[0]).append(a).append(opening[1]).append(b).append(opening[2]);
        for (String number : new String[] {a, b}) {
            sb.append(number).append(':');
            for (int i = 0; i < number.length(); i++) {
                sb.append(' ').append(number.charAt(i)).append(PLACES[number.length() - 1 - i]);
            }
            sb.append('\n');
        }
        int carry = 0;
        char[] written = new char[columns];
        boolean slipped = false;
        for (int c = 0; c < columns; c++) {
            int x = digit(a, c);
            int y = digit(b, c);
            int carryIn = carry;
            int sum = x + y + carryIn;
            boolean showCarry = carryIn == 1 || explicitZeroCarry;
            if (c == flawColumn) {
                if (carryIn == 1 && rng.nextBoolean()) {
                    showCarry = explicitZeroCarry; // forgets the carry: "3+6=9" or "3+6+0=9"
                    carryIn = 0;
                    sum = x + y;
                } else {
                    sum = sum == 0 || rng.nextBoolean() ? sum + 1 : sum - 1;
                }
                slipped = true;
            }
            sb.append(COLUMNS[c]).append(x).append('+').append(y);
            if (showCarry) {
                sb.append('+').append(carryIn);
            }
            sb.append('=').append(sum).append(WRITE).append(sum % 10).append(CARRY).append(sum / 10).append('\n');
            written[columns - 1 - c] = (char) ('0' + sum % 10);
            carry = sum / 10;
        }
        String digits = new String(written);
        String result = carry == 1 ? "1" + digits : stripZeros(digits);
        sb.append(carry == 1 ? LAST_CARRY_ONE : LAST_CARRY_ZERO);
        if (readOff) {
            sb.append(READ).append(result).append(".\n");
        } else {
            sb.append(SO).append(a).append('+').append(b).append('=').append(result).append(".\n");
        }
        sb.append(END_THINK).append(answerLine).append(BOXED).append(result).append('}');
        sb.append(answerLine.isEmpty() ? "" : ".");
        return new TeacherTrace(sb.toString(), slipped);
    }

    /** Every fixed phrase the teacher writes, for {@link TaskTokenizer}. */
    static List<String> phrases() {
        List<String> p = new ArrayList<>(List.of(THINK, END_THINK, BOXED, WRITE, CARRY, LAST_CARRY_ZERO,
                LAST_CARRY_ONE, READ, SO));
        p.addAll(List.of(COLUMNS));
        p.addAll(List.of(PLACES));
        for (String[] o : OPENINGS) {
            p.addAll(List.of(o));
        }
        for (String s : ANSWERS) {
            if (!s.isEmpty()) {
                p.add(s);
            }
        }
        return p;
    }

    /** The digit of {@code number} at column {@code c} from the right, 0 past its length. */
    private static int digit(String number, int c) {
        int i = number.length() - 1 - c;
        return i < 0 ? 0 : number.charAt(i) - '0';
    }

    private static String stripZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "AdditionTeacher{flawRate=%.3f, flawRateStep=%.3f}", flawRate, flawRateStep);
    }

    /** Settings of an {@link AdditionTeacher}; each may be set once. */
    public static final class Builder {
        private Double flawRate;
        private Double flawRateStep;
        private final List<String> problems = new ArrayList<>();

        private Builder() {
        }

        /** The share of flawed traces at level 1, in [0, 1] (default 0.2). */
        public Builder flawRate(double rate) {
            if (this.flawRate != null) {
                problems.add("flawRate was set twice");
            }
            this.flawRate = rate;
            return this;
        }

        /** How much the share of flawed traces grows per level above 1, in [0, 1] (default 0.05). */
        public Builder flawRateStep(double step) {
            if (this.flawRateStep != null) {
                problems.add("flawRateStep was set twice");
            }
            this.flawRateStep = step;
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting */
        public AdditionTeacher build() {
            List<String> all = new ArrayList<>(problems);
            if (flawRate != null && !(flawRate >= 0 && flawRate <= 1)) {
                all.add("flawRate must be in [0, 1], was " + flawRate);
            }
            if (flawRateStep != null && !(flawRateStep >= 0 && flawRateStep <= 1)) {
                all.add("flawRateStep must be in [0, 1], was " + flawRateStep);
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid AdditionTeacher settings: " + String.join("; ", all));
            }
            return new AdditionTeacher(this);
        }
    }
}
