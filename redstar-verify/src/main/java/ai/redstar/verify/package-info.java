/**
 * Rule-based grading of model answers: math (LaTeX, numeric and symbolic equivalence), multiple choice and
 * code run against tests in a sandbox. The entry class is {@code RuleVerifier}. This module depends on Guava
 * only, never on DJL, so a grader can be used without any model.
 */
package ai.redstar.verify;
