/**
 * Running untrusted Python programs against tests. The entry class is
 * {@link ai.redstar.verify.code.CodeSandbox}; tests are {@link ai.redstar.verify.code.CodeTests} (standard
 * input/output or call-based, from the TACO/APPS {@code input_output} JSON); a grade is a
 * {@link ai.redstar.verify.code.CodeResult} with one {@link ai.redstar.verify.code.CaseResult} per case.
 * {@link ai.redstar.verify.code.SandboxBenchmark} measures throughput.
 *
 * <h2>What the bubblewrap sandbox guarantees</h2>
 * <ul>
 *   <li><b>Namespaces:</b> new user, pid, network, IPC, UTS and cgroup namespaces ({@code --unshare-all
 *       --unshare-user}); with bubblewrap 0.8 or later the program cannot create further user namespaces
 *       ({@code --disable-userns}).</li>
 *   <li><b>No network:</b> the sandbox's network namespace has only its own loopback interface; the host's
 *       {@code 127.0.0.1}, the LAN and the internet are unreachable.</li>
 *   <li><b>Files:</b> the root is an empty read-only file system; {@code /usr}, the {@code /bin}, {@code /sbin} and
 *       {@code /lib*} links (or folders), a few loader files of {@code /etc} ({@code alternatives},
 *       {@code ld.so.cache}, {@code ld.so.conf}, {@code localtime}) and any
 *       {@link ai.redstar.verify.code.CodeSandbox.Builder#readOnlyPaths(java.util.List) readOnlyPaths} are mounted
 *       read-only; {@code /proc} is the sandbox's own; {@code /dev} holds only {@code null}, {@code zero},
 *       {@code full}, {@code random}, {@code urandom}, {@code tty} and is read-only. The <em>only</em> writable
 *       place is a fresh per-run host folder, mounted as the working directory {@code /sandbox} (also
 *       {@code HOME}) and as {@code /tmp}, deleted afterwards. The host's {@code /home}, {@code /root},
 *       {@code /tmp}, {@code /var}, {@code /run}, the rest of {@code /etc} and every other path are not visible.
 *       The harness and the job (program and test inputs) sit in a read-only folder {@code /redstar}; expected
 *       outputs never enter the sandbox (they are compared in Java).</li>
 *   <li><b>Privileges:</b> all capabilities dropped, {@code no_new_privs}, a new session (no terminal
 *       injection), a cleared environment ({@code PATH}, {@code HOME}, {@code LANG}, {@code TMPDIR},
 *       {@code *_NUM_THREADS=1} only). When the JVM runs as root, the sandbox first switches to uid/gid 65534
 *       with {@code setpriv}, because the kernel does not apply the process limit to root.</li>
 *   <li><b>Limits per case</b> (set in the case's process before the program runs): CPU time
 *       ({@code RLIMIT_CPU}, the time limit rounded up to whole seconds), address space ({@code RLIMIT_AS}),
 *       processes and threads ({@code RLIMIT_NPROC}, counted per user inside the sandbox's user namespace),
 *       file size ({@code RLIMIT_FSIZE}, which also caps the in-memory captures of standard output, standard
 *       error and the returned value), 256 open files, no core dumps. The harness kills a case at its wall-clock
 *       limit, and Java kills the whole sandbox (the process tree; the pid namespace dies with its init) at
 *       the start-up allowance (10 s) + cases × (time limit + 1 s). When the JVM dies, {@code --die-with-parent} ends the sandbox.</li>
 *   <li><b>Between cases:</b> every process a case left behind is killed before the next case starts; the
 *       harness is not dumpable, so the program can neither ptrace it nor open its report pipe. A program that
 *       kills the harness loses only its own case: the remaining cases run again in a fresh sandbox.</li>
 * </ul>
 *
 * <h2>What it does not guarantee</h2>
 * <ul>
 *   <li>There is <b>no seccomp filter</b>: every system call reaches the host's kernel, which the sandbox shares;
 *       a kernel vulnerability is an escape. Use a virtual machine (gVisor, Firecracker) where that matters.</li>
 *   <li><b>Memory</b> is limited per process as virtual address space, not as resident memory across
 *       processes (up to {@code maxProcesses × memoryLimit} in theory), and memory held in memfds, SysV shared
 *       memory or the writable folder is not counted; there is no cgroup memory limit. Programs that reserve much
 *       virtual memory (some numeric libraries) hit the limit before they use that much.</li>
 *   <li><b>Disk:</b> each file is capped at the output limit, but the number of files in the writable folder is
 *       not; total bytes written are bounded only by the time limit.</li>
 *   <li><b>CPU:</b> the CPU-time limit is per process; threads and child processes can use several cores at once
 *       until the wall-clock limit. There is no CPU share or priority control.</li>
 *   <li><b>Reading:</b> everything under {@code /usr} (installed software) and system-wide {@code /proc} files
 *       ({@code cpuinfo}, {@code meminfo}, the kernel version) are readable; timing side channels are open.</li>
 *   <li>{@link ai.redstar.verify.code.Isolation#UNSANDBOXED Unsandboxed} runs (only with
 *       {@code allowUnsandboxed(true)}) have <b>none</b> of the isolation above: the program runs as the JVM's
 *       user with its network, files and environment-free process; the rlimits still apply (the process limit
 *       then counts all of the user's processes, and not at all for root), and leftover processes are killed by
 *       process group only (a program that calls {@code setsid} escapes).</li>
 * </ul>
 *
 * <p>Other behaviour to know: each case runs in a process forked from an already started interpreter (the
 * program is compiled and executed there with {@code __name__ == "__main__"} for standard-input tests and
 * {@code "solution"} for call-based ones), so modules the harness imported ({@code os}, {@code sys},
 * {@code json}, {@code resource}) are already loaded; files a case writes in the working folder are visible to
 * later cases of the same run.
 */
package ai.redstar.verify.code;
