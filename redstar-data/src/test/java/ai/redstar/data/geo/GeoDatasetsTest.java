package ai.redstar.data.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.verify.RuleVerifier;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeoDatasetsTest {
    private static final RuleVerifier VERIFIER = RuleVerifier.builder().parallelism(1).build();

    @Test
    void write_structured_roundTripsWithRelativeImagePaths(@TempDir Path dir) throws IOException {
        List<GeoProblem> problems = GeoTask.builder().seed(3).imageSize(48).build().problems(9);
        GeoDatasets.Written w = GeoDatasets.write(dir.resolve("geo"), "train", problems,
                GeoDatasets.MessageForm.STRUCTURED);
        assertEquals(9, w.records());
        List<String> lines = Files.readAllLines(w.sft());
        assertEquals(9, lines.size());
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        GeoProblem p = problems.get(0);
        JsonObject user = first.getAsJsonArray("messages").get(0).getAsJsonObject();
        assertEquals("user", user.get("role").getAsString());
        assertEquals("image", user.getAsJsonArray("content").get(0).getAsJsonObject().get("type").getAsString());
        assertEquals(p.prompt(), user.getAsJsonArray("content").get(1).getAsJsonObject().get("text").getAsString());
        JsonObject assistant = first.getAsJsonArray("messages").get(1).getAsJsonObject();
        assertEquals(p.trace(),
                assistant.getAsJsonArray("content").get(0).getAsJsonObject().get("text").getAsString());
        assertEquals("images/" + p.id() + ".png", first.getAsJsonArray("images").get(0).getAsString());
        assertEquals(p.answer(), first.get("answer").getAsString());
        assertTrue(lines.get(0).contains("<think>"), "no HTML escaping: " + lines.get(0));

        // read back from another working directory: paths resolve against the JSONL file
        List<GeoDatasets.Record> back = GeoDatasets.readProblems(w.problems());
        assertEquals(9, back.size());
        for (int i = 0; i < 9; i++) {
            GeoDatasets.Record r = back.get(i);
            GeoProblem q = problems.get(i);
            assertEquals(q.id(), r.id());
            assertEquals(q.prompt(), r.prompt());
            assertEquals(q.answer(), r.answer());
            assertEquals(q.kind(), r.kind());
            assertEquals(q.level(), r.level());
            assertArrayEquals(q.figure().png(), Files.readAllBytes(r.image()));
            BufferedImage img = ImageIO.read(r.image().toFile());
            assertEquals(48, img.getWidth());
            assertTrue(r.grade(VERIFIER, q.trace()).correct());
        }
        assertEquals(9, GeoDatasets.readProblems(w.sft()).size(), "SFT files read as problems too");
    }

    @Test
    void write_stringForm_putsThePlaceholderFirst(@TempDir Path dir) throws IOException {
        List<GeoProblem> problems = GeoTask.builder().levels(1).imageSize(32).build().problems(2);
        GeoDatasets.Written w = GeoDatasets.write(dir, "l1", problems, GeoDatasets.MessageForm.STRING);
        JsonObject o = JsonParser.parseString(Files.readAllLines(w.sft()).get(1)).getAsJsonObject();
        assertEquals("<image>\n" + problems.get(1).prompt(),
                o.getAsJsonArray("messages").get(0).getAsJsonObject().get("content").getAsString());
        assertEquals(problems.get(1).trace(),
                o.getAsJsonArray("messages").get(1).getAsJsonObject().get("content").getAsString());
        JsonObject e = JsonParser.parseString(Files.readAllLines(w.problems()).get(1)).getAsJsonObject();
        assertEquals(1, e.getAsJsonArray("messages").size(), "problems carry the user turn only");
        assertEquals(2, GeoDatasets.readProblems(w.problems()).size());
    }

    @Test
    void readProblems_missingImage_namesRecordAndPath(@TempDir Path dir) {
        GeoProblem p = GeoTask.builder().build().problem(0);
        GeoDatasets.Written w = GeoDatasets.write(dir, "x", List.of(p), GeoDatasets.MessageForm.STRUCTURED);
        assertTrue(w.images().resolve(p.id() + ".png").toFile().delete());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeoDatasets.readProblems(w.problems()));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains(p.id())
                && e.getMessage().contains("images/" + p.id() + ".png"), e.getMessage());
    }

    @Test
    void write_duplicateIdsOrBadName_rejected(@TempDir Path dir) {
        GeoProblem p = GeoTask.builder().build().problem(0);
        assertThrows(IllegalArgumentException.class,
                () -> GeoDatasets.write(dir, "d", List.of(p, p), GeoDatasets.MessageForm.STRING));
        assertThrows(IllegalArgumentException.class,
                () -> GeoDatasets.write(dir, "../up", List.of(p), GeoDatasets.MessageForm.STRING));
    }
}
