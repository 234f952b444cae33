package ai.redstar.verify.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Grading behaviour: stdio and call-based tests, comparisons, statuses (sandboxed). */
class CodeSandboxTest {

    static final CodeSandbox SANDBOX = CodeSandbox.builder()
            .timeLimit(Duration.ofMillis(1500))
            .memoryLimit(256L << 20)
            .outputLimit(64 * 1024)
            .build();

    @BeforeAll
    static void sandboxAvailable() {
        Sandboxes.requireAvailable(SANDBOX);
    }

    private static CodeTests.Stdio stdio(String... inputOutputPairs) {
        List<CodeTests.StdioCase> cases = new java.util.ArrayList<>();
        for (int i = 0; i < inputOutputPairs.length; i += 2) {
            cases.add(new CodeTests.StdioCase(inputOutputPairs[i], inputOutputPairs[i + 1]));
        }
        return CodeTests.stdio(cases);
    }

    @Test
    void run_correctStdioSolution_passesAllCases() {
        CodeResult r = SANDBOX.run("a, b = map(int, input().split())\nprint(a + b)\n",
                stdio("1 2\n", "3\n", "10 -4", "6", "0 0\n", "0"));
        assertTrue(r.correct(), r.detail());
        assertEquals(CodeResult.Reason.ALL_PASSED, r.reason());
        assertEquals(3, r.passed());
        assertEquals(3, r.total());
        assertEquals(Isolation.BUBBLEWRAP, r.isolation());
    }

    @Test
    void run_wrongStdioSolution_reportsFirstDifference() {
        CodeResult r = SANDBOX.run("a, b = map(int, input().split())\nprint(a * b)\n",
                stdio("2 2\n", "4\n", "1 2\n", "3\n"));
        assertFalse(r.correct());
        assertEquals(CodeResult.Reason.TESTS_FAILED, r.reason());
        assertEquals(1, r.passed());
        assertEquals(List.of(CaseStatus.PASSED, CaseStatus.WRONG_ANSWER),
                r.cases().stream().map(CaseResult::status).toList());
        assertTrue(r.detail().contains("expected '3', got '2'"), r.detail());
    }

    @Test
    void run_trailingWhitespaceAndBlankLines_areIgnored() {
        CodeResult r = SANDBOX.run("print('1 2   ')\nprint()\nprint('  3')\n", stdio("", "1 2\n3\n\n"));
        assertTrue(r.correct(), r.detail());
    }

    @Test
    void run_floatWithinTolerance_passesAndBeyondFails() {
        CodeResult close = SANDBOX.run("print(1/3)\n", stdio("", "0.333333"));
        assertTrue(close.correct(), close.detail());
        CodeResult far = SANDBOX.run("print(0.3333)\n", stdio("", "0.333333"));
        assertEquals(CaseStatus.WRONG_ANSWER, far.cases().get(0).status());
        CodeResult integers = SANDBOX.run("print(1000000000000000001)\n", stdio("", "1000000000000000000"));
        assertFalse(integers.correct(), "integers compare exactly");
    }

    @Test
    void run_exceptionAndExitCode_areRuntimeErrors() {
        CodeResult r = SANDBOX.run("x = int(input())\nif x == 1:\n    raise ValueError('boom')\n"
                + "if x == 2:\n    import sys; sys.exit(3)\nprint(x)\n", stdio("1", "1", "2", "2", "3", "3"));
        assertEquals(List.of(CaseStatus.RUNTIME_ERROR, CaseStatus.RUNTIME_ERROR, CaseStatus.PASSED),
                r.cases().stream().map(CaseResult::status).toList());
        assertTrue(r.cases().get(0).detail().contains("ValueError: boom"), r.cases().get(0).detail());
        assertTrue(r.cases().get(1).detail().contains("code 3"), r.cases().get(1).detail());
    }

    @Test
    void run_exitZeroMidway_keepsOutput() {
        CodeResult r = SANDBOX.run("print(5)\nexit()\nprint(6)\n", stdio("", "5"));
        assertTrue(r.correct(), r.detail());
    }

    @Test
    void run_callBasedFunction_comparesJsonValues() {
        CodeTests tests = CodeTests.fromInputOutputJson("{\"fn_name\": \"pair\", \"inputs\": [[1, 2], [3, 4], [0, 0.5]],"
                + " \"outputs\": [[[1, 2]], [3, 4], [[0, 0.5000000001]]]}");
        CodeResult r = SANDBOX.run("def pair(a, b):\n    return (a, b)\n", tests);
        assertTrue(r.correct(), r.detail());
    }

    @Test
    void run_callBasedSolutionClass_isUsed() {
        CodeTests tests = CodeTests.call("twoSum", List.of(
                new CodeTests.CallCase("[[2, 7, 11, 15], 9]", "[0, 1]"),
                new CodeTests.CallCase("[[3, 2, 4], 6]", "[1, 2]")));
        String code = "class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n"
                + "        for i, x in enumerate(nums):\n            if target - x in seen:\n"
                + "                return [seen[target - x], i]\n            seen[x] = i\n";
        assertTrue(SANDBOX.run(code, tests).correct());
        CodeResult wrong = SANDBOX.run(code.replace("[seen[target - x], i]", "[i, seen[target - x]]"), tests);
        assertEquals(CaseStatus.WRONG_ANSWER, wrong.cases().get(0).status());
        assertTrue(wrong.detail().contains("expected [0, 1]") || wrong.detail().contains("expected [0,1]"),
                wrong.detail());
    }

    @Test
    void run_callBasedMissingFunction_isRuntimeError() {
        CodeTests tests = CodeTests.call("solve", List.of(new CodeTests.CallCase("[1]", "1")));
        CodeResult r = SANDBOX.run("def other(x):\n    return x\n", tests);
        assertEquals(CaseStatus.RUNTIME_ERROR, r.cases().get(0).status());
        assertTrue(r.detail().contains("solve"), r.detail());
    }

    @Test
    void run_infiniteLoop_isTimeoutAndLaterCasesStillRun() {
        CodeResult r = SANDBOX.run("x = int(input())\nwhile x == 1:\n    pass\nprint(x)\n",
                stdio("1", "1", "2", "2"));
        assertEquals(List.of(CaseStatus.TIMEOUT, CaseStatus.PASSED), r.cases().stream().map(CaseResult::status).toList());
    }

    @Test
    void run_sleepingProgram_isKilledAtWallClockLimit() {
        CodeResult r = SANDBOX.run("import time\ntime.sleep(30)\n", stdio("", ""));
        assertEquals(CaseStatus.TIMEOUT, r.cases().get(0).status());
        assertTrue(r.elapsed().compareTo(Duration.ofSeconds(15)) < 0, "killed near the limit, not after the sleep");
    }

    @Test
    void run_unboundedAllocation_isMemoryLimit() {
        CodeResult r = SANDBOX.run("x = []\nwhile True:\n    x.append(bytearray(10**7))\n", stdio("", ""));
        assertEquals(CaseStatus.MEMORY_LIMIT, r.cases().get(0).status(), r.detail());
    }

    @Test
    void run_hugeOutput_isCappedAsOutputLimit() {
        CodeResult r = SANDBOX.run("while True:\n    print('x' * 1000)\n", stdio("", "x"));
        assertEquals(CaseStatus.OUTPUT_LIMIT, r.cases().get(0).status(), r.detail());
    }

    @Test
    void run_harnessKilledByProgram_laterCasesStillGraded() {
        String code = "import os, signal\nx = int(input())\nif x == 1:\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                + "print(x)\n";
        CodeResult r = SANDBOX.run(code, stdio("1", "1", "2", "2", "3", "3"));
        assertEquals(List.of(CaseStatus.RUNTIME_ERROR, CaseStatus.PASSED, CaseStatus.PASSED),
                r.cases().stream().map(CaseResult::status).toList(), r.detail());
    }

    @Test
    void grade_extractsLastPythonBlockOutsideThinking() {
        String response = "<think>\n```python\nprint('wrong')\n```\n</think>\nHere:\n```python\nprint(int(input()) * 2)\n"
                + "```\nOutput:\n```\n4\n```\n";
        CodeResult r = SANDBOX.grade(response, stdio("2", "4"));
        assertTrue(r.correct(), r.detail());
        assertEquals("print(int(input()) * 2)\n", r.code().orElseThrow());
    }

    @Test
    void grade_noCodeBlock_isNoCode() {
        CodeResult r = SANDBOX.grade("I would print the sum.", stdio("1", "1"));
        assertEquals(CodeResult.Reason.NO_CODE, r.reason());
        assertEquals(Isolation.NOT_RUN, r.isolation());
    }

    @Test
    void builder_invalidSettings_reportsEveryProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CodeSandbox.builder()
                .timeLimit(Duration.ZERO).memoryLimit(10).maxProcesses(1).floatTolerance(-1)
                .python(Path.of("python3")).build());
        for (String field : List.of("timeLimit", "memoryLimit", "maxProcesses", "floatTolerance", "python")) {
            assertTrue(e.getMessage().contains(field), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> CodeSandbox.builder().timeLimit(Duration.ofSeconds(1))
                .timeLimit(Duration.ofSeconds(2)));
    }
}
