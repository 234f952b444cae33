package ai.redstar.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.progress.Progress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #7's acceptance test: a tiny vision-language model trained from scratch on level-1 geometry figures answers
 * held-out figures clearly above the 25% chance level (graded by RuleVerifier's multiple-choice grading).
 *
 * <p>Not yet part of the default suite: with the configurations measured so far it neither reaches the threshold nor
 * fits the two-minute budget on this 2-core machine (level 1, 32x32 images, width 64, 2 layers: 1200 problems x 3
 * epochs, 4096-token steps gave 0.32 in 369 s of training; PARALLEL_COUNT only, 600 x 4 gave 0.28 in 177 s). Run it
 * with {@code -Dredstar.geo.learnability=true} (and {@code -Dgeo.train/epochs/lr/batch/image/kind/seed}) while tuning.
 */
class GeoLearnabilityTest {
    @TempDir
    Path dir;

    static GeoExperiment.Builder settings(Path dir, long seed) {
        return GeoExperiment.builder(dir).levels(1).seed(seed).trainCount(Integer.getInteger("geo.train", 1200))
                .evalCount(Integer.getInteger("geo.eval", 200)).kinds(ai.redstar.data.geo.GeoKind.valueOf(System.getProperty("geo.kind", "PARALLEL_COUNT")))
                .imageSize(Integer.getInteger("geo.image", 32)).patchSize(8).maxLength(256)
                .batchTokens(Integer.getInteger("geo.batch", 512)).hiddenSize(64).layers(2)
                .epochs(Integer.getInteger("geo.epochs", 3)).learningRate(Double.parseDouble(System.getProperty("geo.lr", "3e-3"))).progress(Progress.Mode.OFF);
    }

    @Test
    @EnabledIfSystemProperty(named = "redstar.geo.learnability", matches = "true")
    void tinyVisionLm_learnsLevelOneGeometry_aboveChance() {
        long seed = Long.getLong("geo.seed", 1);
        long started = System.nanoTime();
        // One intra-op thread: on a loaded 2-core machine libtorch's spinning worker threads made these tiny ops ~40x
        // slower (bench vlm: 17 vs 684 images/s).
        int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
        GeoExperiment.Result r;
        try {
            r = settings(dir, seed).build().run();
        } finally {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
        System.err.printf("geo learnability seed %d: accuracy %.3f, train %.1f s, eval %.1f s, total %.1f s, loss %.4f%n%s",
                seed, r.accuracy(), r.training().elapsed().toMillis() / 1e3, r.evaluation().toMillis() / 1e3,
                (System.nanoTime() - started) / 1e9, r.training().finalLoss(), r.table());
        assertEquals(1, r.byLevel().size());
        assertTrue(r.accuracy() >= 0.45, "held-out accuracy " + r.accuracy() + " is not clearly above chance (0.25)");
    }
}
