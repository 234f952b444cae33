# RedStar code-sandbox harness (ai.redstar.verify.code). Runs inside the sandbox, started by CodeSandbox as
#   python3 -I -B harness.py job.json
# job.json: {"mode": "stdio"|"call", "code": str, "fn": str, "first": int, "cases": [{"stdin": str}|{"args": [...]}],
#            "time": float seconds (wall, per case), "cpu": int seconds, "mem": bytes, "nproc": int,
#            "fsize": bytes, "nofile": int, "sweep": bool}
# For each case it forks a child that applies the resource limits, then runs the solution in-process (no new
# interpreter: a fork costs about a millisecond). It writes one JSON line per event to its stdout:
#   {"event": "start", "case": i}  then  {"event": "done", "case": i, ...facts...}
# It reports facts (exit code, signal, times, captured output, the child's own status record); CodeSandbox
# classifies them. Expected outputs never enter the sandbox.
import io
import json
import os
import resource
import select
import signal
import sys
import time


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_capped(fd, cap):
    size = min(os.fstat(fd).st_size, cap)
    chunks = []
    pos = 0
    while pos < size:
        chunk = os.pread(fd, min(size - pos, 1 << 20), pos)
        if not chunk:
            break
        chunks.append(chunk)
        pos += len(chunk)
    return b"".join(chunks), os.fstat(fd).st_size


def make_undumpable():
    # Children of the same uid may not ptrace this process or open its /proc/PID/fd (the report pipe).
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except Exception:
        pass


def to_jsonable(value):
    def fallback(v):
        if isinstance(v, (set, frozenset)):
            items = list(v)
            try:
                return sorted(items)
            except TypeError:
                return items
        if hasattr(v, "tolist"):
            return v.tolist()
        if hasattr(v, "__index__"):
            return int(v.__index__())
        if hasattr(v, "__float__"):
            return float(v)
        raise TypeError("a result of type %s is not JSON-serialisable" % type(v).__name__)
    return json.dumps(value, default=fallback, allow_nan=True)


def child_main(job, case, fds):
    # Never returns. fd 0/1/2: the case's stdin/stdout/stderr memfds; fd 3: this child's status record.
    try:
        os.setsid()
        os.dup2(fds["stdin"], 0)
        os.dup2(fds["stdout"], 1)
        os.dup2(fds["stderr"], 2)
        os.dup2(fds["status"], 3)
        os.closerange(4, 1 << 16)
        cpu = int(job["cpu"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (job["mem"], job["mem"]))
        resource.setrlimit(resource.RLIMIT_NPROC, (job["nproc"], job["nproc"]))
        resource.setrlimit(resource.RLIMIT_FSIZE, (job["fsize"], job["fsize"]))
        resource.setrlimit(resource.RLIMIT_NOFILE, (job["nofile"], job["nofile"]))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.FileIO(0, "rb", closefd=False), encoding="utf-8",
                                                     errors="replace")
        sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.FileIO(1, "wb", closefd=False), encoding="utf-8",
                                                       errors="replace")
        sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.FileIO(2, "wb", closefd=False), encoding="utf-8",
                                                       errors="backslashreplace", line_buffering=True)
        sys.argv = ["solution.py"]
        sys.setrecursionlimit(1000)
    except BaseException:
        os._exit(70)

    status = {}
    code = 0
    try:
        call = job["mode"] == "call"
        g = {"__name__": "solution" if call else "__main__", "__builtins__": __builtins__,
             "__file__": "solution.py"}
        compiled = compile(job["code"], "solution.py", "exec")
        exec(compiled, g)
        if call:
            fn_name = job["fn"]
            target = None
            sol = g.get("Solution")
            if isinstance(sol, type) and hasattr(sol, fn_name):
                target = getattr(sol(), fn_name)
            elif callable(g.get(fn_name)):
                target = g[fn_name]
            if target is None:
                status["error"] = "NameError"
                status["message"] = "no function %r and no class Solution with that method" % fn_name
                code = 1
            else:
                value = target(*case["args"])
                try:
                    status["value"] = to_jsonable(value)
                except (TypeError, ValueError) as e:
                    status["unserialisable"] = str(e)
    except SystemExit as e:
        if e.code is None:
            code = 0
        elif isinstance(e.code, int):
            code = e.code & 0xFF
        else:
            try:
                print(e.code, file=sys.stderr)
            except BaseException:
                pass
            code = 1
        if job["mode"] == "call":
            status["error"] = "SystemExit"
            status["message"] = "exited with code %s before returning" % (e.code,)
            code = code or 1
    except BaseException as e:
        status["error"] = type(e).__name__
        try:
            status["message"] = str(e)[:500]
            import traceback
            tb = e.__traceback__.tb_next if e.__traceback__ is not None else None  # hide the harness frame
            traceback.print_exception(type(e), e, tb)
        except BaseException:
            pass
        code = 1
    for stream in (sys.stdout, sys.__stdout__):
        try:
            stream.flush()
        except BaseException as e:
            status.setdefault("error", type(e).__name__)
            status.setdefault("message", "while flushing stdout: " + str(e)[:200])
            code = code or 1
    for stream in (sys.stderr, sys.__stderr__):
        try:
            stream.flush()
        except BaseException:
            pass
    try:
        write_all(3, json.dumps(status).encode("utf-8"))
    except BaseException:
        pass
    os._exit(code)


def sweep(job, child):
    """Kills every process the case left behind."""
    if job["sweep"] and os.getpid() != 1 and read_text("/proc/1/comm").strip() == "bwrap":
        # Inside bwrap's pid namespace: kill(-1) reaches every process of the sandbox except pid 1 (bwrap's
        # init) and this harness.
        me = os.getpid()
        for _ in range(200):
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            reap()
            if not [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me) and not zombie(p)]:
                return
            time.sleep(0.001)
    else:
        try:
            os.killpg(child, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        reap()


def read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def zombie(pid):
    stat = read_text("/proc/%s/stat" % pid)
    close = stat.rfind(")")
    return close < 0 or stat[close + 2:close + 3] in ("Z", "X", "")


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def wait_with_timeout(pid, seconds):
    """Waits for the child; returns (timed_out, status, rusage)."""
    deadline = time.monotonic() + seconds
    timed_out = False
    pidfd = None
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is not None:
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                ready, _, _ = select.select([pidfd], [], [], remaining)
                if ready:
                    break
        finally:
            os.close(pidfd)
    else:
        pause = 0.0005
        while True:
            done, st, us = os.wait4(pid, os.WNOHANG)
            if done == pid:
                return False, st, us
            if time.monotonic() >= deadline:
                timed_out = True
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.01)
    if timed_out:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status, usage = os.wait4(pid, 0)
    return timed_out, status, usage


def run_case(job, index, case, report):
    report({"event": "start", "case": index})
    fds = {}
    try:
        for name in ("stdin", "stdout", "stderr", "status"):
            fds[name] = os.memfd_create(name, 0)
        if "stdin" in case:
            write_all(fds["stdin"], case["stdin"].encode("utf-8"))
            os.lseek(fds["stdin"], 0, os.SEEK_SET)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            child_main(job, case, fds)
        timed_out, status, usage = wait_with_timeout(pid, float(job["time"]))
        wall = time.monotonic() - started
        sweep(job, pid)
        cap = int(job["fsize"])
        out, out_size = read_capped(fds["stdout"], cap)
        err, err_size = read_capped(fds["stderr"], cap)
        raw_status, status_size = read_capped(fds["status"], cap)
    finally:
        for fd in fds.values():
            os.close(fd)
    try:
        child_status = json.loads(raw_status.decode("utf-8")) if raw_status else None
        if not isinstance(child_status, dict):
            child_status = None
    except ValueError:
        child_status = None
    result = {
        "event": "done", "case": index, "timed_out": timed_out,
        "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "wall": wall,
        "cpu": (usage.ru_utime + usage.ru_stime) if usage is not None else None,
        "max_rss_kib": usage.ru_maxrss if usage is not None else None,
        "stdout": out.decode("utf-8", "replace"), "stdout_bytes": out_size,
        "stderr": err[-4096:].decode("utf-8", "replace"), "stderr_bytes": err_size,
        "status": child_status, "status_bytes": status_size,
    }
    report(result)


def main():
    with open(sys.argv[1], "rb") as f:
        job = json.loads(f.read().decode("utf-8"))
    report_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    make_undumpable()

    def report(obj):
        write_all(report_fd, (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8", "replace"))

    first = int(job.get("first", 0))
    for offset, case in enumerate(job["cases"]):
        run_case(job, first + offset, case, report)
    report({"event": "end"})
    os.close(report_fd)


if __name__ == "__main__":
    main()
    os._exit(0)  # skip the interpreter's clean-up: the report is written, nothing else is pending
