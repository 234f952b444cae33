/**
 * Evaluation arithmetic over graded samples: the unbiased pass@k estimator ({@link ai.redstar.verify.eval.PassAtK})
 * and majority voting by an equivalence ({@link ai.redstar.verify.eval.MajorityVote}). No grading happens here:
 * {@code RuleVerifier} supplies the verdicts and the equivalence.
 */
package ai.redstar.verify.eval;
