/**
 * The teacher: a {@link ai.redstar.data.sample.TraceSampler} samples responses to a conversation from a local model
 * ({@link ai.redstar.data.sample.LocalSampler}), an OpenAI-compatible server
 * ({@link ai.redstar.data.sample.OpenAiSampler}) or any other source
 * ({@link ai.redstar.data.sample.CustomSampler}); a {@link ai.redstar.data.sample.Trace} is one response to one
 * problem with its provenance.
 */
package ai.redstar.data.sample;
