/**
 * Quality filters for teacher traces: each {@link ai.redstar.data.filter.TraceFilter} keeps a
 * {@link ai.redstar.data.filter.Candidate} or drops it with a {@link ai.redstar.data.filter.Rejection} (filter, reason,
 * evidence); a {@link ai.redstar.data.filter.FilterChain} runs them in order and counts the drops. Filters: truncated
 * generations, format (reasoning, final answer, {@code \boxed{}}), length in tokens, repetition and loops, language
 * mixing, and the verifier's verdict.
 */
package ai.redstar.data.filter;
