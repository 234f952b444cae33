package ai.redstar.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoint folders {@code checkpoint-<step>/} in an output folder, written atomically: everything goes into
 * {@code checkpoint-<step>.tmp/}, every file is forced to disk, then the folder is renamed; older checkpoints beyond
 * the number kept are deleted only after that. A kill at any moment therefore leaves the newest complete checkpoint
 * intact; leftovers ({@code .tmp}, {@code .old}) are removed at the next start. Not thread-safe.
 */
public final class CheckpointStore {
    /** The file whose presence marks a checkpoint folder complete; every trainer writes its state there. */
    public static final String STATE_FILE = TrainerState.FILE;
    static final String PREFIX = "checkpoint-";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final Pattern LEFTOVER = Pattern.compile("checkpoint-\\d+\\.(tmp|old)");
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

    private CheckpointStore() {}

    /** The complete checkpoint with the highest step in {@code output}, if any. */
    public static Optional<Path> latest(Path output) {
        return complete(output).stream().reduce((a, b) -> b);
    }

    /** Complete checkpoints (with a trainer state) by increasing step. */
    public static List<Path> complete(Path output) {
        if (!Files.isDirectory(output)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(output)) {
            entries.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(TrainerState.FILE)))
                    .forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + output + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.comparingLong(CheckpointStore::step));
        return found;
    }

    static long step(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(checkpoint + " is not named checkpoint-<step>");
        }
        return Long.parseLong(m.group(1));
    }

    /** Deletes unfinished checkpoint folders left by a killed run. */
    public static void removeLeftovers(Path output) {
        if (!Files.isDirectory(output)) {
            return;
        }
        try (Stream<Path> entries = Files.list(output)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (LEFTOVER.matcher(p.getFileName().toString()).matches()) {
                    LOG.info("removing {} left by an interrupted checkpoint", p);
                    deleteRecursively(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + output + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code checkpoint-<step>} atomically and keeps the newest {@code keep}.
     *
     * @param writer fills the temporary folder; an exception from it deletes the folder and is rethrown
     * @return the checkpoint folder
     */
    public static Path save(Path output, long step, Consumer<Path> writer, int keep) {
        Path target = output.resolve(PREFIX + step);
        Path temporary = output.resolve(PREFIX + step + ".tmp");
        try {
            Files.createDirectories(output);
            deleteRecursively(temporary);
            Files.createDirectory(temporary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create checkpoint folder " + temporary + ": " + e.getMessage(), e);
        }
        try {
            writer.accept(temporary);
            forceAll(temporary);
            if (Files.exists(target)) {
                // the same step saved again (a resumed run ending where it started): swap the old one out first
                Path old = output.resolve(PREFIX + step + ".old");
                deleteRecursively(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
                deleteRecursively(old);
            } else {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            }
            force(output);
        } catch (IOException e) {
            deleteQuietly(temporary, e);
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temporary, e);
            throw e;
        }
        prune(output, keep);
        return target;
    }

    private static void prune(Path output, int keep) {
        List<Path> all = complete(output);
        for (int i = 0; i < all.size() - keep; i++) {
            LOG.debug("deleting old checkpoint {}", all.get(i));
            try {
                deleteRecursively(all.get(i));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete old checkpoint " + all.get(i) + ": " + e.getMessage(),
                        e);
            }
        }
    }

    private static void forceAll(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    try (FileChannel channel = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        channel.force(true);
                    }
                }
            }
        }
        force(folder);
    }

    /** Forces a folder's entries to disk where the platform allows it (Linux does). */
    private static void force(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot force folder {} to disk: {}", folder, e.toString());
        }
    }

    private static void deleteQuietly(Path folder, Throwable failure) {
        try {
            deleteRecursively(folder);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
