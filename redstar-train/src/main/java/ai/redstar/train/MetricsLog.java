package ai.redstar.train;

import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.jsonl.JsonlWriter;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code metrics.jsonl}: one line per optimiser step ({@code step, epoch, loss, lr, grad_norm, tokens, loss_tokens,
 * tokens_per_s, elapsed_s}) and per evaluation ({@code step, eval_loss, eval_loss_tokens, eval_<metric>}). A resumed
 * run first drops lines of steps after its checkpoint (they are trained again). Not thread-safe.
 */
final class MetricsLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);
    private final JsonlWriter writer;

    private MetricsLog(JsonlWriter writer) {
        this.writer = writer;
    }

    static MetricsLog open(Path file, long resumedStep, boolean resuming) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                if (resuming) {
                    keepUpTo(file, resumedStep);
                } else {
                    LOG.warn("replacing {} of an earlier run that wrote no checkpoint", file);
                    Files.delete(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare metrics file " + file + ": " + e.getMessage(), e);
        }
        return new MetricsLog(Jsonl.append(file));
    }

    private static void keepUpTo(Path file, long step) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        try (Stream<JsonlRecord> lines = Jsonl.stream(file); JsonlWriter out = Jsonl.append(temporary)) {
            lines.filter(r -> !r.has("step") || r.integer("step") <= step).forEach(r -> out.write(r.json()));
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    void step(StepMetrics m) {
        JsonObject o = new JsonObject();
        o.addProperty("step", m.step());
        o.addProperty("epoch", m.epoch());
        o.addProperty("loss", m.loss());
        o.addProperty("lr", m.learningRate());
        o.addProperty("grad_norm", m.gradientNorm());
        o.addProperty("tokens", m.tokens());
        o.addProperty("loss_tokens", m.lossTokens());
        o.addProperty("tokens_per_s", m.tokensPerSecond());
        o.addProperty("elapsed_s", m.elapsedSeconds());
        writer.write(o);
    }

    void write(JsonObject line) {
        writer.write(line);
    }

    @Override
    public void close() {
        writer.close();
    }
}
