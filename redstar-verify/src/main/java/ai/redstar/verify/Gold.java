package ai.redstar.verify;

import ai.redstar.verify.choice.ChoiceOptions;
import ai.redstar.verify.code.CodeTests;
import java.util.Objects;
import java.util.Optional;

/**
 * What a response is graded against: a math answer, a multiple-choice letter, or code tests. One type, so that
 * {@link RuleVerifier#verify(String, Gold)} is the single front door for every kind of problem.
 *
 * <pre>{@code
 * Gold.math("\\frac{1}{2}");
 * Gold.choice("B", ChoiceOptions.parse("A:30° B:45° C:60° D:75°"));
 * Gold.code(CodeTests.fromInputOutputJson(inputOutputJson));
 * }</pre>
 */
public sealed interface Gold permits Gold.Math, Gold.Choice, Gold.Code {

    /** A math answer in LaTeX or plain text; a {@code \boxed{}} in it is unwrapped. */
    record Math(String answer) implements Gold {
        public Math {
            Objects.requireNonNull(answer, "answer");
        }
    }

    /**
     * Multiple-choice letters ({@code "B"}, {@code "AC"}) with the option texts when known (they let an answer
     * name the option's text instead of its letter).
     */
    record Choice(String letters, Optional<ChoiceOptions> options) implements Gold {
        public Choice {
            Objects.requireNonNull(letters, "letters");
            Objects.requireNonNull(options, "options");
        }
    }

    /** Tests that a program extracted from the response must pass in the code sandbox. */
    record Code(CodeTests tests) implements Gold {
        public Code {
            Objects.requireNonNull(tests, "tests");
        }
    }

    static Gold math(String answer) {
        return new Math(answer);
    }

    static Gold choice(String letters) {
        return new Choice(letters, Optional.empty());
    }

    static Gold choice(String letters, ChoiceOptions options) {
        return new Choice(letters, Optional.of(Objects.requireNonNull(options, "options")));
    }

    static Gold code(CodeTests tests) {
        return new Code(tests);
    }
}
