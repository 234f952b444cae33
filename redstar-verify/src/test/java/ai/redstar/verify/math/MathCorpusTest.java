package ai.redstar.verify.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The table-driven corpus in {@code corpus.tsv}: hundreds of answer pairs across every category of the issue,
 * each checked in both directions (the grader must be symmetric).
 */
class MathCorpusTest {

    private static final MathAnswers MATH = MathAnswers.defaults();
    private static final Duration BUDGET = Duration.ofSeconds(2);

    record Row(int line, char expect, String answer, String gold, String note) {
        Outcome.Kind expectedKind() {
            return switch (expect) {
                case '=' -> Outcome.Kind.EQUAL;
                case '!' -> Outcome.Kind.WRONG;
                default -> Outcome.Kind.UNDECIDED;
            };
        }
    }

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = MathCorpusTest.class.getResourceAsStream("corpus.tsv");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                if (fields.length < 3 || fields[0].length() != 1 || "=!?".indexOf(fields[0].charAt(0)) < 0) {
                    throw new IllegalStateException("corpus.tsv line " + number + ": expected 'expect<TAB>answer<TAB>gold', got " + line);
                }
                rows.add(new Row(number, fields[0].charAt(0), fields[1], fields[2], fields.length > 3 ? fields[3] : ""));
            }
        }
        return rows;
    }

    @TestFactory
    Stream<DynamicTest> corpus_everyRow_decidedAsExpectedInBothDirections() throws IOException {
        return rows().stream().map(row -> DynamicTest.dynamicTest(
                "line " + row.line() + ": " + row.answer() + " " + row.expect() + " " + row.gold(), () -> {
                    Comparison forward = MATH.compare(row.answer(), row.gold(), BUDGET);
                    Comparison backward = MATH.compare(row.gold(), row.answer(), BUDGET);
                    assertEquals(row.expectedKind(), forward.outcome().kind(),
                            () -> "line " + row.line() + " forward " + forward);
                    assertEquals(row.expectedKind(), backward.outcome().kind(),
                            () -> "line " + row.line() + " backward " + backward);
                }));
    }
}
