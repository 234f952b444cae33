package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.progress.Progress;
import ai.redstar.data.geo.GeoKind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #7's acceptance test: a tiny vision-language model trained from scratch (CLIP-style encoder on 32x32 figures
 * in 8-pixel patches, width 64, 2 layers; a 2-layer Qwen2 decoder; the task's phrase tokenizer) answers held-out
 * level-1 geometry figures clearly above the 25% chance level, graded by RuleVerifier's multiple-choice grading,
 * in well under a CPU minute.
 *
 * <p>It trains on one level-1 kind, "where is the marked point relative to the circle", whose answer only the image
 * gives (the question and the four options are the same for every figure). Measured on an idle 2-core machine with
 * these settings (2,400 figures x 8 epochs, lr 1e-3, 512-token steps, about 35 s of training): seeds 1, 2, 3 gave
 * 0.87, 0.565 and 0.50. Training on all four level-1 kinds at once is harder for a model this small (0.23 to 0.40 in
 * 45 to 90 s over the settings tried); see the CHANGELOG.
 */
class GeoLearnabilityTest {
    @TempDir
    Path dir;

    @Test
    void tinyVisionLm_learnsToReadPointInCircleFigures_wellAboveChance() {
        GeoExperiment.Result r = GeoExperiment.builder(dir).levels(1).kinds(GeoKind.POINT_IN_CIRCLE).seed(1)
                .trainCount(2400).evalCount(200).imageSize(32).patchSize(8).hiddenSize(64).layers(2).maxLength(256)
                .batchTokens(512).epochs(8).learningRate(1e-3).progress(Progress.Mode.OFF).build().run();
        assertEquals(1, r.byLevel().size());
        assertTrue(r.accuracy() >= 0.40, "held-out accuracy " + r.accuracy() + " is not clearly above chance (0.25)\n"
                + r.table());
    }
}
