/**
 * Duplicates and contamination: {@link ai.redstar.data.dedup.ExactDedup} (normalised 64-bit fingerprints),
 * {@link ai.redstar.data.dedup.MinHash} with a {@link ai.redstar.data.dedup.MinHashIndex} (near-duplicates by
 * locality-sensitive hashing of MinHash signatures), and {@link ai.redstar.data.dedup.Decontaminator} (word n-gram
 * overlap with benchmark sets, naming the overlapping items).
 */
package ai.redstar.data.dedup;
