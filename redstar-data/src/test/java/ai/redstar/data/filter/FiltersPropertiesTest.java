package ai.redstar.data.filter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.data.problem.Problem;
import ai.redstar.data.sample.Trace;
import ai.redstar.verify.RuleVerifier;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

class FiltersPropertiesTest {
    private static final RuleVerifier VERIFIER = RuleVerifier.builder().build();
    private static final Problem PROBLEM = Problem.math(1, "p", "What is 1 + 1?", "2");
    private static final List<TraceFilter> FILTERS = List.of(TruncationFilter.standard(), FormatFilter.standard(),
            LengthFilter.between(1, 50), RepetitionFilter.builder().ngramWords(2).minLineChars(1)
                    .minParagraphChars(1).maxLineRepeats(1).build(),
            LanguageMixFilter.standard(), VerifiedFilter.create());

    @Property(tries = 300)
    void everyFilter_anyText_decidesWithoutThrowing(@ForAll @StringLength(max = 400) String text) {
        for (TraceFilter f : FILTERS) {
            Candidate c = Candidate.of(PROBLEM, Trace.of("p", 0, text), TokenCounter.approximate(), VERIFIER);
            f.check(c).ifPresent(r -> assertTrue(!r.reason().isEmpty() && r.filter().equals(f.name())));
        }
    }

    @Property(tries = 200)
    void repetition_textRepeatedFourTimes_isAlwaysDropped(@ForAll @StringLength(min = 1, max = 60) String word) {
        String paragraph = ("alpha " + word.replace('\n', ' ') + " beta gamma delta epsilon zeta eta theta iota"
                + " kappa lambda mu nu xi omicron pi rho").strip() + "\n\n";
        Candidate c = Candidate.of(PROBLEM, Trace.of("p", 0, paragraph.repeat(4)), TokenCounter.approximate(),
                VERIFIER);
        assertTrue(RepetitionFilter.standard().check(c).isPresent());
    }
}
