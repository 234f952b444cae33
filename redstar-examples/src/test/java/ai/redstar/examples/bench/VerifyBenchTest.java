package ai.redstar.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifyBenchTest {

    @Test
    void run_printsOneJsonLinePerFigureAndAgreesWithTheCorpus() {
        List<String> lines = new ArrayList<>();
        VerifyBench.run(0.2, 0, 0, 1, 1, lines::add);
        assertEquals(6, lines.size(), lines.toString());
        JsonObject rate = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals("verify", rate.get("bench").getAsString());
        assertEquals("math_verdicts_per_s", rate.get("figure").getAsString());
        assertEquals(0, rate.get("disagreements_with_corpus").getAsInt(), lines.get(0));
        assertTrue(rate.get("corpus_cases").getAsInt() > 400);
        JsonObject hostile = JsonParser.parseString(lines.get(5)).getAsJsonObject();
        assertEquals(0, hostile.get("misjudged").getAsInt(), lines.get(5));
    }
}
