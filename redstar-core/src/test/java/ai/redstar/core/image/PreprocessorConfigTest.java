package ai.redstar.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessorConfigTest {

    @Test
    void builder_defaults_areClipImageProcessors() {
        PreprocessorConfig c = PreprocessorConfig.builder().build();
        assertEquals(ImageProcessorType.CLIP, c.type());
        assertEquals(new ResizeTarget.ShortestEdge(224), c.size());
        assertEquals(Resample.BICUBIC, c.resample());
        assertTrue(c.doCenterCrop());
        assertArrayEquals(new int[] {224, 224}, c.fixedOutputSize());
        assertEquals(1.0 / 255, c.rescaleFactor());
        assertArrayEquals(new double[] {0.48145466, 0.4578275, 0.40821073}, c.imageMean());
        assertFalse(c.doPad());
    }

    @Test
    void read_siglipWithoutCropFields_takesSiglipDefaults() {
        PreprocessorConfig c = PreprocessorConfig.fromJson("{\"image_processor_type\": \"SiglipImageProcessor\","
                + " \"size\": {\"height\": 384, \"width\": 384}, \"resample\": 2}");
        assertFalse(c.doCenterCrop());
        assertEquals(Resample.BILINEAR, c.resample());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, c.imageStd());
        assertArrayEquals(new int[] {384, 384}, c.outputSize(100, 300));
        assertEquals(PreprocessorConfig.siglip(384), c);
    }

    @Test
    void read_legacyClipFile_integerSizesAndFeatureExtractorType() {
        PreprocessorConfig c = PreprocessorConfig.fromJson("{\"feature_extractor_type\": \"CLIPFeatureExtractor\","
                + " \"size\": 224, \"crop_size\": 224, \"do_center_crop\": true}");
        assertEquals(new ResizeTarget.ShortestEdge(224), c.size());
        assertEquals(224, c.cropHeight());
        assertEquals("CLIPFeatureExtractor", c.extraFields().get("feature_extractor_type").getAsString());
    }

    @Test
    void writeRead_roundTrip_keepsUnknownFields(@TempDir Path dir) {
        PreprocessorConfig c = PreprocessorConfig.fromJson("{\"image_processor_type\": \"LlavaImageProcessorFast\","
                + " \"do_pad\": true, \"processor_class\": \"LlavaProcessor\", \"custom\": [1, {\"a\": null}]}");
        Path file = c.write(dir);
        PreprocessorConfig back = PreprocessorConfig.read(dir);
        assertEquals(c, back);
        assertEquals(file, dir.resolve("preprocessor_config.json"));
        assertEquals("LlavaProcessor", back.extraFields().get("processor_class").getAsString());
        assertEquals("[1,{\"a\":null}]", back.extraFields().get("custom").toString());
        assertEquals("LlavaImageProcessor", back.toJsonObject().get("image_processor_type").getAsString());
        assertEquals(back, back.toBuilder().build());
        assertEquals(PreprocessorConfig.llava(224).toJsonObject().get("do_pad"), back.toJsonObject().get("do_pad"));
    }

    @Test
    void read_badFields_namesFileFieldAndValue(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("preprocessor_config.json");
        Files.writeString(file, "{\"image_processor_type\": \"CLIPImageProcessor\", \"resample\": 7,"
                + " \"size\": {\"longest_edge\": 5}, \"image_mean\": [0.5, 0.5], \"do_rescale\": \"yes\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessorConfig.read(file));
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        assertTrue(m.contains("'resample'") && m.contains("resample 7"), m);
        assertTrue(m.contains("'size'") && m.contains("longest_edge"), m);
        assertTrue(m.contains("'image_mean'") && m.contains("[0.5,0.5]"), m);
        assertTrue(m.contains("'do_rescale'") && m.contains("\"yes\""), m);
    }

    @Test
    void read_unknownProcessorType_namesValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PreprocessorConfig.fromJson("{\"image_processor_type\": \"DetrImageProcessor\"}"));
        assertTrue(e.getMessage().contains("DetrImageProcessor"), e.getMessage());
    }

    @Test
    void read_missingFile_namesPath(@TempDir Path dir) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> PreprocessorConfig.read(dir.resolve("nope.json")));
        assertTrue(e.getMessage().contains("nope.json"), e.getMessage());
    }

    @Test
    void build_everyProblem_reportedTogether() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessorConfig
                .builder(ImageProcessorType.CLIP).imageStd(0.5, 0, 0.5).rescaleFactor(-1).doPad(true)
                .resample(Resample.NEAREST).resample(Resample.BILINEAR).build());
        String m = e.getMessage();
        assertTrue(m.contains("image_std") && m.contains("rescale_factor") && m.contains("do_pad")
                && m.contains("resample was set twice"), m);
    }

    @Test
    void outputSize_shortestEdge_truncatesAsTransformers() {
        ResizeTarget t = new ResizeTarget.ShortestEdge(224);
        assertArrayEquals(new int[] {224, 298}, t.outputSize(480, 640)); // 224 * 640 / 480 = 298.67
        assertArrayEquals(new int[] {398, 224}, t.outputSize(1000, 562)); // 398.58
        assertArrayEquals(new int[] {224, 224}, t.outputSize(7, 7));
        PreprocessorConfig noCrop = PreprocessorConfig.builder().doCenterCrop(false).build();
        assertFalse(noCrop.hasFixedOutputSize());
        assertThrows(IllegalStateException.class, noCrop::fixedOutputSize);
    }
}
