/**
 * Long chain-of-thought data: {@link ai.redstar.data.LongCotDataset} turns a problems file, a teacher and the
 * rule-based verifier into SFT records and preference pairs (screening for duplicates and contamination, difficulty
 * scoring and selection, sampling, quality filters, verification, pairing; streaming, parallel and resumable) and
 * returns a {@link ai.redstar.data.DatasetReport}. Its parts are usable alone, one package each:
 * {@code data.problem} (problems in), {@code data.difficulty} ({@code DifficultyScorer}), {@code data.sample}
 * (teachers), {@code data.filter} (quality filters), {@code data.dedup} (dedup and decontamination),
 * {@code data.pairs} (pairing policies).
 */
package ai.redstar.data;
