package ai.redstar.core.progress;

import com.google.common.base.Preconditions;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a long job: a progress bar (count, rate, ETA and a free-form status such as the loss) when the JVM
 * runs on a terminal, log lines through SLF4J every {@link #LOG_INTERVAL} otherwise, or nothing.
 *
 * <p>The mode comes from the system property {@code redstar.progress} ({@code auto}, the default; {@code bar};
 * {@code log}; {@code off}) unless given explicitly. Not thread-safe for {@link #status}; {@link #step} may be
 * called from several threads.
 *
 * <pre>{@code
 * try (Progress p = Progress.start("sft", totalSteps)) {
 *     for (...) { ...; p.status("loss 1.234"); p.step(); }
 * }
 * }</pre>
 */
public final class Progress implements AutoCloseable {
    /** How often log-mode progress writes a line. */
    public static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    /** Where progress goes. */
    public enum Mode {
        /** A bar on a terminal, log lines otherwise. */
        AUTO,
        /** Always a bar on the console (stderr). */
        BAR,
        /** Log lines through SLF4J. */
        LOG,
        /** Nothing. */
        OFF
    }

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * Starts reporting in the mode of the {@code redstar.progress} system property.
     *
     * @param task a short name shown before the bar
     * @param total the number of units of work, or {@code -1} when unknown
     */
    public static Progress start(String task, long total) {
        return start(task, total, modeFromProperty());
    }

    /** Starts reporting in the given mode. */
    public static Progress start(String task, long total, Mode mode) {
        Preconditions.checkArgument(total >= -1, "total must be -1 (unknown) or >= 0, got %s", total);
        Mode effective = mode == Mode.AUTO ? (System.console() != null ? Mode.BAR : Mode.LOG) : mode;
        if (effective == Mode.OFF) {
            return new Progress(null);
        }
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .showSpeed()
                .setMaxRenderedLength(120);
        if (effective == Mode.LOG) {
            builder.setConsumer(new DelegatingProgressBarConsumer(line -> LOG.info(line.strip()), 120))
                    .setUpdateIntervalMillis((int) LOG_INTERVAL.toMillis())
                    .setStyle(ProgressBarStyle.ASCII);
        } else {
            builder.setUpdateIntervalMillis(250).setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK);
        }
        return new Progress(builder.build());
    }

    private static Mode modeFromProperty() {
        String value = System.getProperty("redstar.progress", "auto");
        try {
            return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "system property redstar.progress is '" + value + "'; expected auto, bar, log or off", e);
        }
    }

    /** One unit of work done. */
    public void step() {
        step(1);
    }

    /** {@code n} units of work done. */
    public void step(long n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    /** Sets the position, e.g. when resuming. */
    public void stepTo(long n) {
        if (bar != null) {
            bar.stepTo(n);
        }
    }

    /** A short status shown after the bar, e.g. {@code "loss 0.412 lr 2.0e-05"}. */
    public void status(String message) {
        if (bar != null) {
            bar.setExtraMessage(message);
        }
    }

    /** Units done so far (0 when off). */
    public long current() {
        return bar == null ? 0 : bar.getCurrent();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
