package ai.redstar.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageProcessorTest {

    @Test
    void toNDArray_batchOfFiles_isFloat32NChwOnCallersManager() {
        ImageProcessor p = ImageProcessor.of(PreprocessorConfig.read(ImageFixtures.file("configs/clip.json")));
        List<Path> files = List.of(ImageFixtures.file("inputs/rgb.png"), ImageFixtures.file("inputs/gray.png"),
                ImageFixtures.file("inputs/photo420.jpg"));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray pixels = p.toNDArray(files, manager);
            assertEquals(new Shape(3, 3, 20, 20), pixels.getShape());
            assertEquals(DataType.FLOAT32, pixels.getDataType());
            assertEquals(manager, pixels.getManager());
            float[] second = ImageFixtures.floats("expected/clip__gray.png.f32");
            float[] all = pixels.toFloatArray();
            float[] slice = java.util.Arrays.copyOfRange(all, second.length, 2 * second.length);
            assertArrayEquals(second, slice, 0f);
        }
    }

    @Test
    void processImages_java2dIntRgb_equalsSameImageSavedAsPng(@TempDir Path dir) throws IOException {
        BufferedImage drawn = new BufferedImage(45, 31, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = drawn.createGraphics();
        g.setColor(new Color(200, 30, 60, 128));
        g.fillOval(3, 4, 30, 20);
        g.setColor(Color.BLUE);
        g.drawLine(0, 30, 44, 0);
        g.dispose();
        Path png = dir.resolve("drawn.png");
        ImageIO.write(drawn, "png", png.toFile());
        ImageProcessor p = ImageProcessor.of(PreprocessorConfig.llava(24));
        assertArrayEquals(p.process(png).toFloatArray(), p.process(drawn).toFloatArray(), 0f);
    }

    @Test
    void padToSquare_wideImage_centresOnMeanColour() {
        RgbImage wide = RgbImage.filled(6, 2, new int[] {255, 255, 255});
        PreprocessorConfig c = PreprocessorConfig.builder(ImageProcessorType.LLAVA).doPad(true).doResize(false)
                .doCenterCrop(false).build();
        RgbImage out = ImageProcessor.of(c).transform(wide);
        assertEquals(6, out.height);
        // rows 0-1 and 4-5 are int(mean * 255) = (122, 116, 104); rows 2-3 the image
        assertEquals(122, out.get(0, 1, 0));
        assertEquals(116, out.get(5, 4, 1));
        assertEquals(104, out.get(3, 5, 2));
        assertEquals(255, out.get(3, 2, 0));
        assertEquals(255, out.get(0, 3, 2));
    }

    @Test
    void centerCrop_largerThanImage_padsWithZerosOffsetRoundedUp() {
        RgbImage image = RgbImage.filled(3, 4, new int[] {9, 9, 9});
        RgbImage out = ImageProcessor.centerCrop(image, 6, 6);
        assertEquals(6, out.width);
        // width: pad (6 - 3) -> image starts at column ceil(3 / 2) = 2; height: rows 1..4
        assertEquals(0, out.get(1, 2, 0));
        assertEquals(9, out.get(2, 1, 0));
        assertEquals(9, out.get(4, 4, 0));
        assertEquals(0, out.get(5, 4, 0));
        assertEquals(0, out.get(3, 0, 0));
        assertEquals(0, out.get(3, 5, 0));
    }

    @Test
    void process_missingFile_namesPath(@TempDir Path dir) {
        Path missing = dir.resolve("missing.png");
        ImageReadException e = assertThrows(ImageReadException.class,
                () -> ImageProcessor.of(PreprocessorConfig.clip(8)).process(missing));
        assertEquals(missing, e.path());
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("no such file"),
                e.getMessage());
    }

    @Test
    void process_notAnImage_namesPath(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not a png");
        ImageReadException e = assertThrows(ImageReadException.class,
                () -> ImageProcessor.of(PreprocessorConfig.clip(8)).process(text));
        assertTrue(e.getMessage().contains(text.toString()), e.getMessage());
    }

    @Test
    void process_sixteenBitPng_rejectedNamingPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("deep.png");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY), "png", file.toFile());
        ImageReadException e = assertThrows(ImageReadException.class,
                () -> ImageProcessor.of(PreprocessorConfig.clip(8)).process(file));
        assertTrue(e.getMessage().contains("deep.png") && e.getMessage().contains("16-bit"), e.getMessage());
    }

    @Test
    void processImages_differentSizesWithoutCrop_rejectedNamingImage() {
        ImageProcessor p = ImageProcessor.of(PreprocessorConfig.builder().doCenterCrop(false).build());
        BufferedImage a = new BufferedImage(10, 20, BufferedImage.TYPE_INT_RGB);
        BufferedImage b = new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.processImages(List.of(a, b)));
        assertTrue(e.getMessage().contains("image 1"), e.getMessage());
    }
}
