package ai.redstar.verify.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile programs: each must be graded wrong AND leave the host untouched (canaries checked afterwards).
 */
class SandboxContainmentTest {

    private static final int MAX_PROCESSES = 16;
    private static Path hostDir;
    private static Path workRoot;
    private static CodeSandbox sandbox;

    @BeforeAll
    static void setUp() throws IOException {
        hostDir = Files.createTempDirectory("redstar-host-");
        workRoot = Files.createTempDirectory("redstar-work-");
        // a root JVM runs the sandbox as uid 65534, which must be able to reach the work root
        Files.setPosixFilePermissions(workRoot, PosixFilePermissions.fromString("rwx--x--x"));
        sandbox = CodeSandbox.builder()
                .timeLimit(Duration.ofSeconds(1))
                .memoryLimit(256L << 20)
                .maxProcesses(MAX_PROCESSES)
                .outputLimit(64 * 1024)
                .workDirectory(workRoot)
                .build();
        Sandboxes.requireAvailable(sandbox);
    }

    @AfterAll
    static void tearDown() throws IOException {
        try (Stream<Path> left = Files.list(workRoot)) {
            assertEquals(List.of(), left.toList(), "every run deletes its folders");
        }
        for (Path dir : List.of(hostDir, workRoot)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static CodeTests.Stdio expecting(String output) {
        return CodeTests.stdio(List.of(new CodeTests.StdioCase("", output)));
    }

    private static String py(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Test
    void writeOutsideWorkFolder_failsAndLeavesNoFile() {
        Path target = hostDir.resolve("escaped-" + UUID.randomUUID() + ".txt");
        Path hostTmp = Path.of("/tmp", "redstar-escaped-" + UUID.randomUUID());
        String code = "import os\nfor p in [" + py(target.toString()) + ", " + py(hostTmp.toString())
                + ", '/usr/redstar-escape', '/redstar-escape', '/redstar/escape']:\n"
                + "    try:\n        open(p, 'w').write('x')\n        print('wrote', p)\n"
                + "    except OSError as e:\n        print('blocked', p)\n"
                + "print('escaped' if os.path.exists(" + py(target.toString()) + ") else 'contained')\n";
        CodeResult r = sandbox.run(code, expecting("escaped"));
        assertFalse(r.correct(), r.detail());
        assertFalse(Files.exists(target), "no file appears in the host folder");
        assertFalse(Files.exists(hostTmp), "the sandbox's /tmp is not the host's");
        assertFalse(Files.exists(Path.of("/usr/redstar-escape")));
        assertFalse(Files.exists(Path.of("/redstar-escape")));
    }

    @Test
    void readSecretOutsideWorkFolder_secretNeverAppears() throws IOException {
        String secret = "secret-" + UUID.randomUUID();
        Path file = hostDir.resolve("secret.txt");
        Files.writeString(file, secret);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String code = "import os\nout = []\n"
                + "for p in [" + py(file.toString()) + ", '/root/.bash_history', '/etc/shadow', '/etc/passwd']:\n"
                + "    try:\n        out.append(open(p).read())\n    except OSError as e:\n"
                + "        out.append('blocked ' + p)\n"
                + "for d in ['/', '/tmp', '/home', '/work', " + py(hostDir.toString()) + "]:\n"
                + "    try:\n        out.append(d + ': ' + ' '.join(sorted(os.listdir(d))))\n"
                + "    except OSError:\n        out.append('no ' + d)\n"
                + "print(' | '.join(out))\n";
        CodeResult r = sandbox.run(code, expecting(secret));
        assertFalse(r.correct(), r.detail());
        assertEquals(CaseStatus.WRONG_ANSWER, r.cases().get(0).status(), r.detail());
        String got = r.detail().substring(r.detail().indexOf(", got '"));
        assertFalse(got.contains(secret), r.detail());
        assertTrue(r.detail().contains("blocked " + file), "the program ran and was refused: " + r.detail());
    }

    @Test
    void connectToHostLoopback_serverSeesNothing() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(200);
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        server.accept().close();
                        connections.incrementAndGet();
                    } catch (SocketTimeoutException timeout) {
                        // keep listening
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String code = "import socket\ntry:\n    s = socket.create_connection(('127.0.0.1', " + server.getLocalPort()
                    + "), timeout=0.5)\n    s.sendall(b'hello')\n    print('connected')\n"
                    + "except OSError as e:\n    print('refused', e)\n"
                    + "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=0.5)\n    print('internet')\n"
                    + "except OSError as e:\n    print('offline', e)\n";
            CodeResult r = sandbox.run(code, expecting("connected\ninternet"));
            assertFalse(r.correct(), r.detail());
            assertEquals(CaseStatus.WRONG_ANSWER, r.cases().get(0).status(), r.detail());
            Thread.sleep(300);
            assertEquals(0, connections.get(), "the host's server saw no connection");
        }
    }

    @Test
    void deleteCanaryOutsideWorkFolder_canarySurvives() throws IOException {
        Path canary = hostDir.resolve("canary-" + UUID.randomUUID());
        Files.writeString(canary, "alive");
        String code = "import os, shutil\n"
                + "for f in [lambda: os.remove(" + py(canary.toString()) + "), lambda: shutil.rmtree("
                + py(hostDir.toString()) + "), lambda: shutil.rmtree('/usr/share/doc')]:\n"
                + "    try:\n        f()\n    except OSError:\n        pass\n"
                + "print('deleted')\n";
        CodeResult r = sandbox.run(code, expecting("deleted\nverified"));
        assertFalse(r.correct(), r.detail());
        assertEquals("alive", Files.readString(canary));
        assertTrue(Files.isDirectory(Path.of("/usr/share")));
    }

    @Test
    void forkBomb_isBoundedThenEveryProcessKilled() throws Exception {
        String marker = "redstar-forkbomb-" + UUID.randomUUID();
        String bomb = "import os, time\\nwhile True:\\n    try:\\n        os.fork()\\n    except OSError:\\n"
                + "        time.sleep(0.01)\\n";
        String code = "import os, sys\nos.execv(sys.executable, [sys.executable, '-c', '" + bomb + "', '" + marker
                + "'])\n";
        CodeResult r = sandbox.run(code, expecting("survived"));
        assertFalse(r.correct(), r.detail());
        assertEquals(CaseStatus.TIMEOUT, r.cases().get(0).status(), r.detail());
        assertEquals(List.of(), processesWith(marker, Duration.ofSeconds(5)), "no bomb process survives the run");
    }

    @Test
    void forking_isLimitedToMaxProcesses() {
        String code = "import os, time\nn = 0\nfor i in range(200):\n    try:\n        pid = os.fork()\n"
                + "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(5)\n        os._exit(0)\n"
                + "    n += 1\nprint(n)\n";
        CodeResult r = sandbox.run(code, expecting("200"));
        assertEquals(CaseStatus.WRONG_ANSWER, r.cases().get(0).status(), r.detail());
        Matcher m = Pattern.compile("got '(\\d+)'").matcher(r.detail());
        assertTrue(m.find(), r.detail());
        int forked = Integer.parseInt(m.group(1));
        assertTrue(forked < MAX_PROCESSES, "forked " + forked + " with a limit of " + MAX_PROCESSES);
    }

    @Test
    void infiniteLoopInBackgroundProcess_isKilledWithTheCase() throws Exception {
        String marker = "redstar-loop-" + UUID.randomUUID();
        String code = "import os, sys, subprocess\n"
                + "subprocess.Popen([sys.executable, '-c', 'while True: pass', '" + marker + "'], start_new_session=True)\n"
                + "print('detached')\n";
        CodeResult r = sandbox.run(code, expecting("never"));
        assertFalse(r.correct());
        assertEquals(List.of(), processesWith(marker, Duration.ofSeconds(5)), "the detached loop is gone");
    }

    @Test
    void environment_isCleared() {
        String home = System.getenv().getOrDefault("HOME", "/root");
        String code = "import os\nprint(os.environ.get('HOME'))\nprint(sorted(os.environ))\n";
        CodeResult r = sandbox.run(code, expecting(home));
        assertFalse(r.correct(), r.detail());
        assertTrue(r.detail().contains("got '/sandbox'"), r.detail());
    }

    @Test
    void hugeOutput_isCappedAndDetailStaysShort() {
        CodeResult r = sandbox.run("import sys\nwhile True:\n    sys.stdout.write('y' * 65536)\n", expecting("y"));
        assertEquals(CaseStatus.OUTPUT_LIMIT, r.cases().get(0).status(), r.detail());
        assertTrue(r.detail().length() < 1000);
    }

    @Test
    void forgedHarnessReport_isImpossible() {
        String forged = "{\\\"event\\\": \\\"done\\\", \\\"case\\\": 0, \\\"timed_out\\\": false, \\\"exit\\\": 0, "
                + "\\\"signal\\\": null, \\\"wall\\\": 0.01, \\\"cpu\\\": 0.01, \\\"stdout\\\": \\\"forged\\\", "
                + "\\\"stdout_bytes\\\": 6, \\\"stderr\\\": \\\"\\\", \\\"stderr_bytes\\\": 0, \\\"status\\\": {}, "
                + "\\\"status_bytes\\\": 2}\\n";
        String code = "import os\nopened = 0\nfor fd in range(32):\n    try:\n"
                + "        with open('/proc/%d/fd/%d' % (os.getppid(), fd), 'w') as f:\n"
                + "            f.write(\"" + forged + "\")\n            opened += 1\n    except OSError:\n        pass\n"
                + "print('opened', opened)\n";
        CodeResult r = sandbox.run(code, expecting("forged"));
        assertEquals(CaseStatus.WRONG_ANSWER, r.cases().get(0).status(), r.detail());
        assertTrue(r.detail().contains("got 'opened 0'"), r.detail());
    }

    @Test
    void nestedUserNamespace_isRefused() {
        String code = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                + "print(libc.unshare(0x10000000), ctypes.get_errno() != 0)\n";
        CodeResult r = sandbox.run(code, expecting("0 False"));
        assertEquals(CaseStatus.WRONG_ANSWER, r.cases().get(0).status(), r.detail());
        assertTrue(r.detail().contains("got '-1 True'"), r.detail());
    }

    @Test
    void harnessStoppedByProgram_javaDeadlineKillsSandboxAndLaterCasesRun() throws Exception {
        String marker = "redstar-stopper-" + UUID.randomUUID();
        CodeSandbox quick = sandbox.toBuilder().timeLimit(Duration.ofMillis(500))
                .startupAllowance(Duration.ofSeconds(1)).build();
        String code = "import os, signal, subprocess, sys\nx = input()\nif x == '1':\n"
                + "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '" + marker + "'])\n"
                + "    os.kill(os.getppid(), signal.SIGSTOP)\nprint(x)\n";
        CodeResult r = quick.run(code, CodeTests.stdio(List.of(new CodeTests.StdioCase("1", "1"),
                new CodeTests.StdioCase("2", "2"))));
        assertEquals(List.of(CaseStatus.TIMEOUT, CaseStatus.PASSED), r.cases().stream().map(CaseResult::status).toList(),
                r.detail());
        assertTrue(r.cases().get(0).detail().contains("deadline"), r.cases().get(0).detail());
        assertEquals(List.of(), processesWith(marker, Duration.ofSeconds(5)), "the stopped sandbox is gone");
    }

    /** Host processes whose command line contains {@code marker}, after waiting up to {@code patience} for none. */
    private static List<Long> processesWith(String marker, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            List<Long> found = new ArrayList<>();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.toList()) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    try {
                        String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                        if (cmdline.contains(marker)) {
                            found.add(Long.parseLong(name));
                        }
                    } catch (IOException gone) {
                        // the process ended while we looked
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot list /proc", e);
            }
            if (found.isEmpty() || System.nanoTime() > deadline) {
                return found;
            }
            Thread.sleep(50);
        }
    }
}
