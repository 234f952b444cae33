/**
 * Problem difficulty: {@link ai.redstar.data.difficulty.DifficultyScorer} scores a problem in [0, 1] with a
 * {@link ai.redstar.data.difficulty.DifficultyStrategy} (pass rate of a model, declared level on a
 * {@link ai.redstar.data.difficulty.LevelScale}, teacher trace length, weighted combinations) and a bucket; a
 * {@link ai.redstar.data.difficulty.Selection} keeps problems by threshold or by a seeded target mix of buckets
 * ({@link ai.redstar.data.difficulty.MixSelector} for inputs too large to hold).
 */
package ai.redstar.data.difficulty;
