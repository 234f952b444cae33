/**
 * Rule-based grading of model answers: math (LaTeX, numeric and symbolic equivalence), multiple choice and
 * code run against tests in a sandbox. The entry class is {@link ai.redstar.verify.RuleVerifier}: it grades a
 * response against a {@link ai.redstar.verify.Gold} and returns a {@link ai.redstar.verify.Verdict} with its
 * {@link ai.redstar.verify.Reason}. The graders live in {@code verify.math}, {@code verify.choice} and
 * {@code verify.code}; pass@k and majority voting in {@code verify.eval}. This module depends on Guava and Gson
 * only, never on DJL, so a grader can be used without any model.
 */
package ai.redstar.verify;
