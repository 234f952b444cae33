package ai.redstar.data.filter;

import ai.redstar.data.problem.Problem;
import ai.redstar.data.sample.Trace;
import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Verdict;
import java.util.Objects;

/**
 * A trace under judgement, with its problem and what the filters ask of it, each worked out once on first use: the
 * split into thinking and answer parts, the token count (the trace's own, else the {@link TokenCounter}'s), and the
 * verifier's verdict.
 *
 * <p>The split: the reasoning part runs from after the first {@code <think>} (or from the start, when only
 * {@code </think>} is present) to the first {@code </think>} after it; the answer part is what follows. Without tags
 * the reasoning part is empty and the answer part is the whole text. See {@link ThinkState}.
 *
 * <p>Not thread-safe: confine a candidate to one thread.
 */
public final class Candidate {
    private static final String OPEN = "<think>";
    private static final String CLOSE = "</think>";

    private final Problem problem;
    private final Trace trace;
    private final TokenCounter counter;
    private final RuleVerifier verifier;
    private Verdict verdict;
    private int tokens = -1;
    private boolean split;
    private int reasoningStart;
    private int reasoningEnd;
    private int answerStart;
    private ThinkState state;

    private Candidate(Problem problem, Trace trace, TokenCounter counter, RuleVerifier verifier, Verdict verdict) {
        this.problem = Objects.requireNonNull(problem, "problem");
        this.trace = Objects.requireNonNull(trace, "trace");
        this.counter = Objects.requireNonNull(counter, "counter");
        this.verifier = verifier;
        this.verdict = verdict;
    }

    /** A candidate graded by {@code verifier} when its verdict is first asked for. */
    public static Candidate of(Problem problem, Trace trace, TokenCounter counter, RuleVerifier verifier) {
        return new Candidate(problem, trace, counter, Objects.requireNonNull(verifier, "verifier"), null);
    }

    /** A candidate already graded. */
    public static Candidate verified(Problem problem, Trace trace, TokenCounter counter, Verdict verdict) {
        return new Candidate(problem, trace, counter, null, Objects.requireNonNull(verdict, "verdict"));
    }

    public Problem problem() {
        return problem;
    }

    public Trace trace() {
        return trace;
    }

    /** The full response text. */
    public String text() {
        return trace.text();
    }

    /** The verifier's verdict on the response against the problem's gold (graded on first call). */
    public Verdict verdict() {
        if (verdict == null) {
            verdict = verifier.verify(trace.text(), problem.gold());
        }
        return verdict;
    }

    /** Whether the verdict has been worked out (or was given). */
    public boolean isVerified() {
        return verdict != null;
    }

    /** The response's token count: the trace's own when known, else the counter's. */
    public int tokenCount() {
        if (tokens < 0) {
            tokens = trace.tokenCount().isPresent() ? trace.tokenCount().getAsInt() : counter.count(trace.text());
        }
        return tokens;
    }

    public ThinkState thinkState() {
        split();
        return state;
    }

    /** Start (inclusive) of the reasoning part in {@link #text()}. */
    public int reasoningStart() {
        split();
        return reasoningStart;
    }

    /** End (exclusive) of the reasoning part in {@link #text()}. */
    public int reasoningEnd() {
        split();
        return reasoningEnd;
    }

    /** Start of the answer part in {@link #text()}; it runs to the end. */
    public int answerStart() {
        split();
        return answerStart;
    }

    /** The reasoning part (a copy). */
    public String reasoning() {
        return text().substring(reasoningStart(), reasoningEnd());
    }

    /** The answer part (a copy). */
    public String answer() {
        return text().substring(answerStart());
    }

    private void split() {
        if (split) {
            return;
        }
        String text = trace.text();
        int open = text.indexOf(OPEN);
        int close = text.indexOf(CLOSE, open < 0 ? 0 : open + OPEN.length());
        if (open >= 0 && close >= 0) {
            reasoningStart = open + OPEN.length();
            reasoningEnd = close;
            answerStart = close + CLOSE.length();
            state = ThinkState.CLOSED;
        } else if (open >= 0) {
            reasoningStart = open + OPEN.length();
            reasoningEnd = text.length();
            answerStart = text.length();
            state = ThinkState.UNCLOSED;
        } else if (close >= 0) {
            reasoningStart = 0;
            reasoningEnd = close;
            answerStart = close + CLOSE.length();
            state = ThinkState.CLOSED;
        } else {
            reasoningStart = 0;
            reasoningEnd = 0;
            answerStart = 0;
            state = ThinkState.NONE;
        }
        split = true;
    }

    @Override
    public String toString() {
        return "Candidate{" + trace + "}";
    }
}
