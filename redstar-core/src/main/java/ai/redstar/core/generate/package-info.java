/**
 * Sampling completions from a {@link ai.redstar.core.model.CausalLm}: {@link ai.redstar.core.generate.Generator}
 * (batched, KV-cached) takes {@link ai.redstar.core.generate.GenerationRequest}s (token-id prompts with
 * {@link ai.redstar.core.generate.SamplingParams}) and returns {@link ai.redstar.core.generate.GenerationResult}s of
 * {@link ai.redstar.core.generate.Completion}s with token ids, log-probabilities and a
 * {@link ai.redstar.core.generate.FinishReason}. Stop strings and text need a
 * {@link ai.redstar.core.generate.TokenDecoder}.
 */
package ai.redstar.core.generate;
