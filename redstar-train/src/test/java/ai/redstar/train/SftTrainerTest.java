package ai.redstar.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.redstar.core.model.CausalLm;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftTrainerTest {
    @TempDir
    Path dir;

    @Test
    void fit_smallSet_memorisesIt() {
        try (ChatTokenizer tokenizer = TinySft.tokenizer(dir)) {
            Path file = TinySft.write(dir.resolve("train.jsonl"), List.of(
                    TinySft.chat("2+2=?", "4"), TinySft.chat("3+5=?", "8"),
                    TinySft.chat("spell cat", "c a t"), TinySft.chat("what is 7+1?", "it is 8.")));
            SftData data = SftData.fromJsonl(file, tokenizer);
            try (CausalLm model = TinySft.model(tokenizer.vocabularySize(), 1)) {
                List<Double> losses = new ArrayList<>();
                SftResult result = SftTrainer.builder(model, data).maxLength(256).batchTokens(256).maxSteps(80)
                        .learningRate(3e-2).warmupSteps(5).progress(Progress.Mode.OFF)
                        .onStep(m -> losses.add(m.loss())).build().fit();
                assertEquals(80, result.steps());
                assertTrue(losses.get(0) > 2.0, "first loss " + losses.get(0));
                assertTrue(result.finalLoss() < 0.1, "final loss " + result.finalLoss() + " after " + losses);
            }
        }
    }
}
