package ai.redstar.verify.code;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns the harness's facts about one finished case into a {@link CaseResult}. The order of the checks is the
 * precedence of the statuses: TIMEOUT, MEMORY_LIMIT, OUTPUT_LIMIT, SANDBOX_ERROR (the harness could not set the
 * case up), RUNTIME_ERROR, then the comparison (PASSED or WRONG_ANSWER).
 */
final class CaseJudge {

    private static final int SIGKILL = 9;
    private static final int SIGXCPU = 24;
    /** The harness's exit code when it could not prepare a case's process (see harness.py). */
    private static final int HARNESS_SETUP_FAILED = 70;

    private final CodeTests tests;
    private final int cpuSeconds;
    private final long outputLimit;
    private final double tolerance;
    private final OutputMatch outputMatch;

    CaseJudge(CodeTests tests, int cpuSeconds, long outputLimit, double tolerance, OutputMatch outputMatch) {
        this.tests = tests;
        this.cpuSeconds = cpuSeconds;
        this.outputLimit = outputLimit;
        this.tolerance = tolerance;
        this.outputMatch = outputMatch;
    }

    CaseResult judge(int index, JsonObject facts) {
        Duration elapsed = Duration.ofNanos((long) (number(facts, "wall") * 1e9));
        boolean timedOut = facts.has("timed_out") && facts.get("timed_out").getAsBoolean();
        Integer exit = integer(facts, "exit");
        Integer signal = integer(facts, "signal");
        double cpu = number(facts, "cpu");
        String stdout = string(facts, "stdout");
        String stderr = string(facts, "stderr");
        JsonObject status = facts.has("status") && facts.get("status").isJsonObject()
                ? facts.getAsJsonObject("status") : null;
        String error = status != null && status.has("error") ? status.get("error").getAsString() : "";

        if (timedOut) {
            return new CaseResult(index, CaseStatus.TIMEOUT, elapsed, String.format(Locale.ROOT,
                    "killed after %.2f s of wall-clock time (%.2f s of CPU)", seconds(elapsed), cpu));
        }
        if (signal != null && (signal == SIGXCPU || (signal == SIGKILL && cpu >= cpuSeconds - 0.05))) {
            return new CaseResult(index, CaseStatus.TIMEOUT, elapsed, String.format(Locale.ROOT,
                    "killed by the CPU-time limit of %d s (used %.2f s)", cpuSeconds, cpu));
        }
        if (error.equals("MemoryError") || stderr.contains("MemoryError")
                || stderr.contains("Cannot allocate memory") || stderr.contains("std::bad_alloc")) {
            return new CaseResult(index, CaseStatus.MEMORY_LIMIT, elapsed,
                    "ran out of the address-space limit: " + lastLines(stderr));
        }
        long stdoutBytes = (long) number(facts, "stdout_bytes");
        long stderrBytes = (long) number(facts, "stderr_bytes");
        long statusBytes = (long) number(facts, "status_bytes");
        if (stdoutBytes >= outputLimit || stderrBytes >= outputLimit || statusBytes >= outputLimit) {
            String which = stdoutBytes >= outputLimit ? "standard output"
                    : stderrBytes >= outputLimit ? "standard error" : "the returned value";
            return new CaseResult(index, CaseStatus.OUTPUT_LIMIT, elapsed,
                    which + " reached the output limit of " + outputLimit + " bytes");
        }
        if (status == null && exit != null && exit == HARNESS_SETUP_FAILED) {
            return new CaseResult(index, CaseStatus.SANDBOX_ERROR, elapsed,
                    "the harness could not prepare the case's process (resource limits or standard streams)");
        }
        if (signal != null) {
            return new CaseResult(index, CaseStatus.RUNTIME_ERROR, elapsed,
                    "killed by signal " + signal + (stderr.isBlank() ? "" : ": " + lastLines(stderr)));
        }
        if (!error.isEmpty()) {
            String message = status.has("message") ? status.get("message").getAsString() : "";
            return new CaseResult(index, CaseStatus.RUNTIME_ERROR, elapsed,
                    error + (message.isEmpty() ? "" : ": " + message)
                            + (stderr.isBlank() ? "" : " | " + lastLines(stderr)));
        }
        if (exit == null || exit != 0) {
            return new CaseResult(index, CaseStatus.RUNTIME_ERROR, elapsed,
                    "exited with code " + exit + (stderr.isBlank() ? "" : ": " + lastLines(stderr)));
        }
        if (tests instanceof CodeTests.Call call) {
            return judgeCall(index, call, status, elapsed);
        }
        String expected = ((CodeTests.Stdio) tests).cases().get(index).expectedOutput();
        Optional<String> diff = Outputs.difference(stdout, expected, outputMatch, tolerance);
        return diff.map(d -> new CaseResult(index, CaseStatus.WRONG_ANSWER, elapsed, d))
                .orElseGet(() -> new CaseResult(index, CaseStatus.PASSED, elapsed, ""));
    }

    private CaseResult judgeCall(int index, CodeTests.Call call, JsonObject status, Duration elapsed) {
        if (status == null) {
            return new CaseResult(index, CaseStatus.RUNTIME_ERROR, elapsed,
                    "the program ended without recording a result");
        }
        if (status.has("unserialisable")) {
            return new CaseResult(index, CaseStatus.WRONG_ANSWER, elapsed, status.get("unserialisable").getAsString());
        }
        if (!status.has("value")) {
            return new CaseResult(index, CaseStatus.RUNTIME_ERROR, elapsed, "no value was returned");
        }
        String valueJson = status.get("value").getAsString();
        JsonElement actual;
        try {
            actual = JsonParser.parseString(valueJson);
        } catch (JsonParseException e) {
            return new CaseResult(index, CaseStatus.WRONG_ANSWER, elapsed,
                    "the returned value is not JSON: " + abbreviate(valueJson));
        }
        CodeTests.CallCase c = call.cases().get(index);
        if (JsonValues.matchesExpected(actual, c.expected(), tolerance)) {
            return new CaseResult(index, CaseStatus.PASSED, elapsed, "");
        }
        return new CaseResult(index, CaseStatus.WRONG_ANSWER, elapsed, call.functionName() + "("
                + abbreviate(stripBrackets(c.argumentsJson())) + "): expected " + abbreviate(c.expectedJson())
                + ", got " + abbreviate(valueJson));
    }

    private static String stripBrackets(String array) {
        String s = array.strip();
        return s.length() >= 2 ? s.substring(1, s.length() - 1) : s;
    }

    private static String lastLines(String text) {
        String t = text.strip();
        return t.length() <= 300 ? t : "..." + t.substring(t.length() - 297);
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 97) + "...";
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static double number(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? 0.0 : e.getAsDouble();
    }

    private static Integer integer(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? null : e.getAsInt();
    }

    private static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }
}
