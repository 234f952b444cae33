package ai.redstar.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ImageProcessorPropertiesTest {

    @Property(tries = 60)
    void process_anySizeAndFilter_givesConfiguredShapeAndFiniteValues(
            @ForAll @IntRange(min = 1, max = 90) int width, @ForAll @IntRange(min = 1, max = 90) int height,
            @ForAll @IntRange(min = 1, max = 40) int edge, @ForAll @IntRange(min = 1, max = 40) int crop,
            @ForAll Resample filter, @ForAll boolean pad, @ForAll boolean fixed, @ForAll long seed) {
        PreprocessorConfig.Builder b = PreprocessorConfig.builder(pad ? ImageProcessorType.LLAVA
                : ImageProcessorType.CLIP).resample(filter).doPad(pad);
        if (fixed) {
            b.size(new ResizeTarget.FixedSize(edge, crop)).doCenterCrop(false);
        } else {
            b.size(new ResizeTarget.ShortestEdge(edge)).cropSize(crop, crop + 1);
        }
        PreprocessorConfig config = b.build();
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        PixelBatch out = ImageProcessor.of(config).processImages(List.of(image, image));
        int[] expected = fixed ? new int[] {edge, crop} : new int[] {crop, crop + 1};
        assertArrayEquals(expected, config.fixedOutputSize());
        assertArrayEquals(expected, config.outputSize(height, width));
        assertEquals(2, out.count());
        assertEquals(expected[0], out.height());
        assertEquals(expected[1], out.width());
        float[] v = out.toFloatArray();
        assertEquals(2 * 3 * expected[0] * expected[1], v.length);
        // (0 - mean) / std .. (1 - mean) / std for CLIP statistics lies within [-1.8, 2.2]
        for (float f : v) {
            assertTrue(Float.isFinite(f) && f >= -1.8f && f <= 2.2f, "value " + f);
        }
    }
}
