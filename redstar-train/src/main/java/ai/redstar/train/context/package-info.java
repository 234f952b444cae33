/**
 * Context extension by Position Interpolation. The entry class is
 * {@link ai.redstar.train.context.ContextExtension}.
 *
 * <h2>How to extend a model's context</h2>
 * <ol>
 *   <li><b>Extend.</b> {@code CausalLm longer = ContextExtension.extend(CausalLm.load(folder, device), 4);} turns a
 *       4k-position model into a 16k one: {@code rope_scaling} becomes linear with factor 4 (times any factor the
 *       model already had) and {@code max_position_embeddings} grows by 4. The parameters are not copied: they move
 *       to the returned model, and the one passed in is closed. Extend first, then attach adapters (LoRA) if any.</li>
 *   <li><b>Fine-tune briefly on long records.</b> Right after the extension the model is usable but not yet good at
 *       long inputs; the PI paper (Chen et al. 2023, arXiv 2306.15595) recovers it with about 1,000 steps of
 *       next-token training on sequences of the new length (the Pile; AdamW β = (0.9, 0.95), learning rate 2e-5 for
 *       7B/13B models and 1e-5 above, 20 warmup steps, no weight decay, global batch 64). Here: give the extended
 *       model to {@code SftTrainer} with long records and its maximum length raised to the new context (e.g. 16,384
 *       tokens), a step budget of about 1,000 and that learning rate. The paper fine-tunes every weight; LoRA alone
 *       adapts less well to a new context (LongLoRA, arXiv 2309.12307, also trains the embeddings and norms).</li>
 *   <li><b>Save.</b> {@code longer.save(out, TensorDtype.BF16)} writes the scaling into {@code config.json};
 *       {@code CausalLm.load(out, device)} and transformers both read it back.</li>
 * </ol>
 * The context is only as long as memory allows: attention here is materialised ({@code [batch, heads, seq, seq]}),
 * so very long sequences need a small batch, or an {@link ai.redstar.core.model.AttentionKernel} that does not
 * materialise the scores.
 */
package ai.redstar.train.context;
