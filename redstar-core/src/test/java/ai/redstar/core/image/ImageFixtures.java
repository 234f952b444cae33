package ai.redstar.core.image;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The PIL-made fixtures under {@code src/test/resources/image/} (written by {@code image_reference.py}). */
final class ImageFixtures {
    private ImageFixtures() {
    }

    static Path root() {
        try {
            return Path.of(ImageFixtures.class.getResource("/image/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static JsonObject manifest() {
        try {
            return JsonParser.parseString(Files.readString(file("manifest.json"), StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] floats(String relative) {
        ByteBuffer b = ByteBuffer.wrap(bytes(relative)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }
}
