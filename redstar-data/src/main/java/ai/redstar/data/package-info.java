/**
 * Long chain-of-thought data: {@code LongCotDataset} (problems to verified, filtered, deduplicated SFT records
 * and preference pairs) and {@code DifficultyScorer}.
 */
package ai.redstar.data;
