package ai.redstar.verify.code;

import com.google.common.io.MoreFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The host folders of one run: {@code control/} (read-only inside: harness, job) and {@code work/} (writable). */
final class SandboxFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxFiles.class);
    private static final String HARNESS_RESOURCE = "harness.py";
    private static final byte[] HARNESS = loadHarness();

    private SandboxFiles() {}

    /**
     * Creates {@code <workRoot>/redstar-sandbox-*} with {@code control/} and {@code work/}; when
     * {@code dropToUid >= 0}, hands {@code work/} to that uid and lets it traverse (not list) the root.
     */
    static Path createRunFolders(Path workRoot, int dropToUid) throws IOException {
        Path root = Files.createTempDirectory(workRoot, "redstar-sandbox-");
        Path control = Files.createDirectory(root.resolve("control"));
        Path work = Files.createDirectory(root.resolve("work"));
        Files.write(control.resolve(HARNESS_RESOURCE), HARNESS);
        Files.setPosixFilePermissions(control.resolve(HARNESS_RESOURCE), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (dropToUid >= 0) {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setAttribute(work, "unix:uid", dropToUid);
            Files.setAttribute(work, "unix:gid", dropToUid);
        }
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
        return root;
    }

    static void writeJob(Path root, String json) throws IOException {
        Path job = root.resolve("control").resolve("job.json");
        Files.write(job, json.getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(job, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /**
     * Deletes a run's folders without following symbolic links the program may have planted, first making every
     * folder writable again (a program may have removed its permissions); a failure is logged with the path.
     */
    static void deleteOrWarn(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!attrs.isSymbolicLink()) {
                        try {
                            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                        } catch (IOException e) {
                            LOG.debug("cannot reset permissions of {}: {}", dir, e.toString());
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
            MoreFiles.deleteRecursively(root);
        } catch (IOException e) {
            LOG.warn("cannot delete the sandbox folder {}: {}", root, e.toString());
        }
    }

    private static byte[] loadHarness() {
        try (var in = SandboxFiles.class.getResourceAsStream(HARNESS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + HARNESS_RESOURCE + " is missing from the "
                        + SandboxFiles.class.getPackageName() + " package: the redstar-verify jar is incomplete");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + HARNESS_RESOURCE, e);
        }
    }
}
