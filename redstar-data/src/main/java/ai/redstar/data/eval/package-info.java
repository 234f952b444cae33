/**
 * Evaluation of a model on problems with known answers: {@link ai.redstar.data.eval.Evaluator} samples responses
 * (from a local model, or from any {@link ai.redstar.data.eval.Evaluator.Responder}), grades them with the
 * rule-based verifier and returns an {@link ai.redstar.data.eval.EvalReport}: accuracy, pass@k and maj@k, overall and
 * by difficulty level, with a JSON form and a plain-text table; per-sample verdicts can be written as JSONL.
 */
package ai.redstar.data.eval;
