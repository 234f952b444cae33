package ai.redstar.verify.code;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child process whose standard output and error are drained on their own threads (so a chatty child can never
 * block), kept up to a cap, and which is killed with all its descendants when it outlives its deadline.
 *
 * <p>Not thread-safe: one thread starts, awaits and reads it.
 */
final class ProcessRun {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessRun.class);
    private static final int STDERR_CAP = 64 * 1024;
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(5);

    private final Process process;
    private final Drain out;
    private final Drain err;
    private int exitCode = Integer.MIN_VALUE;

    private ProcessRun(Process process, Drain out, Drain err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code command}, keeping up to {@code stdoutCap} bytes of its standard output. */
    static ProcessRun start(List<String> command, Path directory, Map<String, String> environment, long stdoutCap)
            throws IOException {
        return start(command, directory, environment, stdoutCap, Long.MAX_VALUE, null);
    }

    /**
     * Starts {@code command} and hands each line of its standard output (without the newline) to {@code lines} on
     * the reading thread; a line longer than {@code maxLine} bytes, or output beyond {@code maxTotal} bytes, is
     * dropped and {@link #stdoutOverflowed()} becomes true.
     */
    static ProcessRun start(List<String> command, Path directory, Map<String, String> environment, long maxLine,
            long maxTotal, Consumer<String> lines) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(environment);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        Drain out = new Drain(p.getInputStream(), maxLine, maxTotal, lines, "redstar-sandbox-stdout");
        Drain err = new Drain(p.getErrorStream(), STDERR_CAP, STDERR_CAP, null, "redstar-sandbox-stderr");
        out.start();
        err.start();
        return new ProcessRun(p, out, err);
    }

    /**
     * Waits for the process up to {@code timeout}; past it, kills the process and every descendant.
     *
     * @return true when the process ended by itself
     */
    boolean awaitOrKill(Duration timeout) {
        boolean finished;
        try {
            finished = process.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            killTree();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a sandboxed process", e);
        }
        if (!finished) {
            killTree();
        }
        try {
            if (!process.waitFor(DRAIN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("a sandboxed process (pid {}) did not die within {} s of SIGKILL", process.pid(),
                        DRAIN_GRACE.toSeconds());
            } else {
                exitCode = process.exitValue();
            }
            out.join(DRAIN_GRACE.toMillis());
            err.join(DRAIN_GRACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a sandboxed process", e);
        }
        if (out.isAlive() || err.isAlive()) {
            LOG.warn("the output of a sandboxed process (pid {}) is still open after it ended; a descendant holds it",
                    process.pid());
            killTree();
        }
        return finished;
    }

    /** Kills the process and every descendant still visible (the root first, so bubblewrap's --die-with-parent
     * fires for the sandbox's whole pid namespace). */
    void killTree() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        for (ProcessHandle h : descendants) {
            h.destroyForcibly();
        }
    }

    /** The exit code, or {@link Integer#MIN_VALUE} when the process did not end. */
    int exitCode() {
        return exitCode;
    }

    /** The kept standard output (empty when lines went to a consumer). */
    String stdout() {
        return out.text();
    }

    /** The first 64 KiB of standard error. */
    String stderr() {
        return err.text();
    }

    boolean stdoutOverflowed() {
        return out.overflowed;
    }

    /** Reads one stream to its end on its own thread. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final long maxLine;
        private final long maxTotal;
        private final Consumer<String> lines;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private volatile boolean overflowed;
        private volatile RuntimeException handlerFailure;

        Drain(InputStream in, long maxLine, long maxTotal, Consumer<String> lines, String name) {
            super(name);
            setDaemon(true);
            this.in = in;
            this.maxLine = maxLine;
            this.maxTotal = maxTotal;
            this.lines = lines;
        }

        @Override
        public void run() {
            byte[] buf = new byte[64 * 1024];
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean skippingLine = false;
            long total = 0;
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    total += n;
                    if (lines == null) {
                        int keep = (int) Math.max(0, Math.min(n, maxLine - kept.size()));
                        kept.write(buf, 0, keep);
                        overflowed |= keep < n;
                        continue;
                    }
                    if (total > maxTotal) {
                        overflowed = true;
                        continue; // keep draining so the child never blocks
                    }
                    int start = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != '\n') {
                            continue;
                        }
                        if (!skippingLine) {
                            line.write(buf, start, i - start);
                            deliver(line);
                        }
                        line.reset();
                        skippingLine = false;
                        start = i + 1;
                    }
                    if (!skippingLine) {
                        line.write(buf, start, n - start);
                        if (line.size() > maxLine) {
                            overflowed = true;
                            skippingLine = true;
                            line.reset();
                        }
                    }
                }
                if (lines != null && !skippingLine && line.size() > 0) {
                    deliver(line);
                }
            } catch (IOException e) {
                LOG.debug("stream of a sandboxed process closed: {}", e.toString());
            }
        }

        private void deliver(ByteArrayOutputStream line) {
            try {
                lines.accept(line.toString(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                handlerFailure = e;
                overflowed = true;
            }
        }

        String text() {
            if (handlerFailure != null) {
                throw new IllegalStateException("reading a sandboxed process' output failed", handlerFailure);
            }
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
