package ai.redstar.verify.code;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command lines that start the harness, inside bubblewrap or (when allowed) directly, and the one-time probe
 * of whether bubblewrap works here.
 */
final class SandboxCommand {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxCommand.class);

    /** Where the read-only control folder (harness, job) appears inside the sandbox. */
    static final String INNER_CONTROL = "/redstar";
    /** Where the writable work folder appears inside the sandbox (also mounted at /tmp). */
    static final String INNER_WORK = "/sandbox";

    private static final List<String> ROOT_LINKS_OR_DIRS = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64",
            "/libx32");
    private static final List<String> ETC_FILES = List.of("/etc/alternatives", "/etc/ld.so.cache",
            "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime");
    private static final Pattern BWRAP_VERSION = Pattern.compile("bubblewrap\\s+(\\d+)\\.(\\d+)");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    private static final Map<Key, Probe> PROBES = new ConcurrentHashMap<>();

    /** What decides whether the sandbox works: the probe is cached per key. */
    record Key(Path bubblewrap, Path python, List<Path> readOnlyPaths, Path workRoot, int dropToUid) {}

    /** A probe's answer; {@code disableUserns} when bubblewrap supports {@code --disable-userns} (0.8+). */
    record Probe(boolean available, String detail, boolean disableUserns) {}

    private final Key key;
    private final Path setpriv;

    SandboxCommand(Path bubblewrap, Path python, List<Path> readOnlyPaths, Path workRoot, int sandboxUid) {
        int uid = currentUid();
        this.key = new Key(bubblewrap, python, ImmutableList.copyOf(readOnlyPaths), workRoot,
                uid == 0 ? sandboxUid : -1);
        this.setpriv = uid == 0 ? findOnPath("setpriv", Path.of("/usr/bin/setpriv")) : null;
    }

    /** The uid processes are switched to before bubblewrap starts, or -1 when the JVM does not run as root. */
    int dropToUid() {
        return key.dropToUid();
    }

    Probe probe() {
        return PROBES.computeIfAbsent(key, k -> runProbe());
    }

    /** The argv that runs {@code inner} (an argv inside the sandbox) with control and work folders bound. */
    List<String> sandboxed(Path control, Path work, List<String> inner) {
        return sandboxed(probe(), control, work, inner);
    }

    private List<String> sandboxed(Probe p, Path control, Path work, List<String> inner) {
        List<String> cmd = new ArrayList<>();
        if (key.dropToUid() >= 0) {
            // The kernel exempts uid 0 from RLIMIT_NPROC even inside a user namespace, so a root JVM hands the
            // sandbox to an unprivileged uid first.
            cmd.addAll(List.of(setpriv.toString(), "--reuid=" + key.dropToUid(), "--regid=" + key.dropToUid(),
                    "--clear-groups", "--no-new-privs", "--"));
        }
        cmd.add(key.bubblewrap().toString());
        cmd.addAll(List.of("--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--cap-drop", "ALL"));
        if (p.disableUserns()) {
            cmd.add("--disable-userns");
        }
        cmd.addAll(List.of("--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
                "--setenv", "HOME", INNER_WORK, "--setenv", "LANG", "C.UTF-8", "--setenv", "TMPDIR", "/tmp",
                "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "OPENBLAS_NUM_THREADS", "1",
                "--setenv", "MKL_NUM_THREADS", "1", "--hostname", "sandbox"));
        cmd.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String dir : ROOT_LINKS_OR_DIRS) {
            Path path = Path.of(dir);
            if (Files.isSymbolicLink(path)) {
                try {
                    cmd.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), dir));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot read the symbolic link " + dir, e);
                }
            } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                cmd.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        for (String etc : ETC_FILES) {
            cmd.addAll(List.of("--ro-bind-try", etc, etc));
        }
        for (Path extra : key.readOnlyPaths()) {
            cmd.addAll(List.of("--ro-bind", extra.toString(), extra.toString()));
        }
        cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
                "--ro-bind", control.toString(), INNER_CONTROL,
                "--bind", work.toString(), INNER_WORK,
                "--bind", work.toString(), "/tmp",
                "--remount-ro", "/",
                "--chdir", INNER_WORK));
        cmd.addAll(inner);
        return cmd;
    }

    /** The argv inside the sandbox that runs the harness on the job file. */
    List<String> harnessArgv(String controlDir) {
        return List.of(key.python().toString(), "-I", "-B", controlDir + "/harness.py", controlDir + "/job.json");
    }

    Path python() {
        return key.python();
    }

    private Probe runProbe() {
        Path bwrap = key.bubblewrap();
        if (!Files.isExecutable(bwrap)) {
            return unavailable("bubblewrap is not installed: " + bwrap + " is not an executable file (Debian/Ubuntu:"
                    + " apt-get install bubblewrap)");
        }
        if (key.dropToUid() >= 0 && setpriv == null) {
            return unavailable("the JVM runs as root, and the sandbox must switch to uid " + key.dropToUid()
                    + " with setpriv (util-linux) because the kernel exempts root from the process-count limit;"
                    + " setpriv is not on PATH");
        }
        Path python = key.python();
        if (!python.isAbsolute()) {
            return unavailable("the Python interpreter must be an absolute path, got " + python);
        }
        Path realPython;
        try {
            realPython = python.toRealPath();
        } catch (IOException e) {
            return unavailable("the Python interpreter " + python + " does not exist");
        }
        if (!visibleInside(python) || !visibleInside(realPython)) {
            return unavailable("the Python interpreter " + python + " (" + realPython + ") is outside what the"
                    + " sandbox mounts (/usr, /bin, /lib*); mount its installation with readOnlyPaths(...)");
        }
        if (key.dropToUid() >= 0) {
            String blocked = untraversableAncestor(key.workRoot());
            if (blocked != null) {
                return unavailable("the work directory " + key.workRoot() + " cannot be reached by uid "
                        + key.dropToUid() + ", which the sandbox runs as because the JVM runs as root: " + blocked
                        + " lacks the execute permission for others (chmod o+x it, or choose another"
                        + " workDirectory)");
            }
        }
        boolean disableUserns;
        try {
            ProcessRun version = ProcessRun.start(List.of(bwrap.toString(), "--version"), null, Map.of(), 4096);
            version.awaitOrKill(PROBE_TIMEOUT);
            Matcher m = BWRAP_VERSION.matcher(version.stdout());
            disableUserns = m.find() && (Integer.parseInt(m.group(1)) > 0 || Integer.parseInt(m.group(2)) >= 8);
        } catch (IOException e) {
            return unavailable("cannot start " + bwrap + ": " + e.getMessage());
        }
        Probe optimistic = new Probe(true, "", disableUserns);
        Path root = null;
        try {
            root = SandboxFiles.createRunFolders(key.workRoot(), key.dropToUid());
            Path control = root.resolve("control");
            Path work = root.resolve("work");
            String marker = "redstar-sandbox-ok";
            List<String> inner = List.of(python.toString(), "-I", "-c",
                    "import os, socket, sys; print('" + marker + "', sys.version_info[0], sys.version_info[1])");
            List<String> cmd = sandboxed(optimistic, control, work, inner);
            ProcessRun run = ProcessRun.start(cmd, null, Map.of(), 64 * 1024);
            boolean finished = run.awaitOrKill(PROBE_TIMEOUT);
            String out = run.stdout();
            if (!finished) {
                return unavailable("the sandbox probe did not finish within " + PROBE_TIMEOUT.toSeconds() + " s");
            }
            if (run.exitCode() != 0 || !out.contains(marker)) {
                String err = run.stderr().strip();
                return unavailable("bubblewrap cannot create the sandbox here (exit code " + run.exitCode() + "): "
                        + (err.isEmpty() ? out.strip() : err) + "; the kernel must allow unprivileged user"
                        + " namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0; on Ubuntu"
                        + " 23.10+ also kernel.apparmor_restrict_unprivileged_userns=0) and a container must not"
                        + " block them");
            }
            String detail = "bubblewrap " + bwrap + " ran " + python + " (Python "
                    + out.substring(out.indexOf(marker) + marker.length()).strip().replace(' ', '.') + ")"
                    + (key.dropToUid() >= 0 ? " as uid " + key.dropToUid() + " via setpriv" : "");
            LOG.debug("code sandbox available: {}", detail);
            return new Probe(true, detail, disableUserns);
        } catch (IOException e) {
            return unavailable("the sandbox probe failed: " + e);
        } finally {
            if (root != null) {
                SandboxFiles.deleteOrWarn(root);
            }
        }
    }

    /** The first folder from the root down to {@code dir} that others may not traverse, or null. */
    private static String untraversableAncestor(Path dir) {
        try {
            Path real = dir.toRealPath();
            for (Path p = real; p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return p.toString();
                }
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return dir + " (" + e.getMessage() + ")";
        }
    }

    private Probe unavailable(String why) {
        LOG.warn("code sandbox unavailable: {}", why);
        return new Probe(false, why, false);
    }

    private boolean visibleInside(Path p) {
        Path n = p.normalize();
        if (n.startsWith("/usr")) {
            return true;
        }
        for (String dir : ROOT_LINKS_OR_DIRS) {
            if (n.startsWith(dir)) {
                return true;
            }
        }
        for (Path extra : key.readOnlyPaths()) {
            if (n.startsWith(extra.normalize())) {
                return true;
            }
        }
        return false;
    }

    /** The effective uid of this JVM (the owner of /proc/self), or -1 when unknown. */
    static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** The first executable {@code name} on PATH, else {@code fallback} if executable, else null. */
    static Path findOnPath(String name, Path fallback) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return fallback != null && Files.isExecutable(fallback) ? fallback : null;
    }

}
