/**
 * Supervised fine-tuning. The entry class is {@link ai.redstar.train.SftTrainer}:
 * {@code SftTrainer.builder(model, SftData.fromJsonl(file, tokenizer))...build().fit()} returns an
 * {@link ai.redstar.train.SftResult}.
 *
 * <p>Data: {@link ai.redstar.train.SftData} (TRL chat JSONL, streamed and indexed, or tokenized examples),
 * {@link ai.redstar.train.AssistantLoss}, {@link ai.redstar.train.TruncationPolicy},
 * {@link ai.redstar.train.Batching} (exact packing or length-grouped padding). Seams for adapters:
 * {@link ai.redstar.train.SftTrainer.Builder#trainableParameters}, {@link ai.redstar.train.ModelSaver},
 * {@link ai.redstar.train.SftTrainer.Builder#trainingMode}. Watching: {@link ai.redstar.train.StepMetrics},
 * {@link ai.redstar.train.EvalCallback}, {@link ai.redstar.train.TrainingDivergedException}. Optimisation lives in
 * {@link ai.redstar.train.optim}.
 */
package ai.redstar.train;
