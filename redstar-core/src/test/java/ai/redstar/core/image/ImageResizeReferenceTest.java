package ai.redstar.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@link RgbImage#resize} against Pillow 9.4's {@code Image.resize}, byte for byte. */
class ImageResizeReferenceTest {

    @Test
    void resize_everyFilterAndScale_matchesPillowBitExactly() {
        RgbImage source = RgbImage.read(ImageFixtures.file("source_rgb.png"));
        assertEquals(37, source.width);
        List<String> mismatches = new ArrayList<>();
        int cases = 0;
        for (JsonElement e : ImageFixtures.manifest().getAsJsonArray("resize")) {
            JsonObject c = e.getAsJsonObject();
            Resample filter = Resample.fromPilCode(c.get("filter").getAsInt());
            int w = c.get("width").getAsInt();
            int h = c.get("height").getAsInt();
            byte[] expected = ImageFixtures.bytes(c.get("file").getAsString());
            RgbImage actual = source.resize(w, h, filter);
            assertEquals(w, actual.width);
            assertEquals(h, actual.height);
            int differing = 0;
            int maxDiff = 0;
            for (int i = 0; i < expected.length; i++) {
                int d = Math.abs((expected[i] & 0xFF) - (actual.pixels[i] & 0xFF));
                if (d != 0) {
                    differing++;
                    maxDiff = Math.max(maxDiff, d);
                }
            }
            if (differing > 0) {
                mismatches.add(String.format(Locale.ROOT, "%s %dx%d: %d bytes differ, max %d", filter, w, h,
                        differing, maxDiff));
            }
            cases++;
        }
        assertEquals(48, cases, "six filters x eight target sizes");
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }
}
