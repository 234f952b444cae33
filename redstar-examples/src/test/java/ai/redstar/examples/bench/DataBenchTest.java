package ai.redstar.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataBenchTest {

    @Test
    void run_printsOneJsonLinePerFigureAndTheCorpusOutcome() {
        List<String> lines = new ArrayList<>();
        DataBench.run(600, 1000, 2, 50, 3, lines::add);
        assertEquals(4, lines.size(), lines.toString());
        JsonObject rate = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals("data", rate.get("bench").getAsString());
        assertEquals("traces_per_s", rate.get("figure").getAsString());
        assertEquals(600, rate.get("traces").getAsLong());
        int tokens = rate.get("mean_tokens_approx").getAsInt();
        assertTrue(tokens > 900 && tokens < 1400, "traces of about 1,000 tokens, got " + tokens);
        assertEquals("peak_rss_mib", JsonParser.parseString(lines.get(2)).getAsJsonObject().get("figure")
                .getAsString());
        JsonObject outcome = JsonParser.parseString(lines.get(3)).getAsJsonObject();
        double kept = outcome.get("value").getAsDouble();
        assertTrue(kept > 0.6 && kept < 0.85, "most synthetic traces are clean, kept " + kept);
        JsonObject drops = outcome.getAsJsonObject("drops");
        for (String reason : List.of("format/no_boxed", "language/foreign_script", "repetition/repeated_paragraph",
                "truncated/length", "verified/wrong")) {
            assertTrue(drops.has(reason), reason + " missing from " + drops);
        }
        assertTrue(outcome.get("near_duplicates").getAsLong() > 0, outcome.toString());
    }
}
