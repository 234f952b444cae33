/**
 * The miniature RedStar: a built-in synthetic reasoning task (multi-digit addition at graded difficulty levels), an
 * imperfect step-by-step teacher that plugs into {@code LongCotDataset}, and a tokenizer made for the task so that a
 * tiny Qwen2 model trained from scratch on a laptop CPU can learn it.
 *
 * <ul>
 *   <li>{@link ai.redstar.examples.mini.AdditionTask}: seeded problem generator, problems as the library's problem
 *       JSONL ({@code id, question, answer, source, level}).</li>
 *   <li>{@link ai.redstar.examples.mini.AdditionTeacher}: long column-by-column traces, a configurable share of them
 *       with a wrong step that carries through to a wrong answer; a {@code TraceSampler}.</li>
 *   <li>{@link ai.redstar.examples.mini.TaskTokenizer}: writes a {@code tokenizer.json} whose tokens are the task's
 *       characters and the teacher's phrases, with the ChatML template.</li>
 *   <li>{@link ai.redstar.examples.mini.MiniRedstar}: the whole recipe end to end ({@code redstar mini}): problems,
 *       dataset, tokenizer, a data-scaling study of SFT from scratch, RL on the best SFT model, held-out evaluation
 *       (greedy accuracy by level, pass@k, maj@k) and {@link ai.redstar.examples.mini.MiniReport} (results.json,
 *       report.md, report.html, accuracy.png). Resumable stage by stage.</li>
 *   <li>{@link ai.redstar.examples.mini.Feasibility}: the measured study behind the miniature's settings.</li>
 * </ul>
 *
 * <p>Direction checks ({@code MiniRedstar.Result#directionProblems}, run by CI as {@code redstar mini --quick}):
 * greedy held-out accuracy of the largest SFT set must be strictly above the smallest's, and the RL model's greedy
 * accuracy on the same held-out problems must be at least the SFT model's it started from (no tolerance). Tiny
 * models are dispatch-bound: run them with one libtorch thread ({@code -Dai.djl.pytorch.num_threads=1}, which
 * {@code redstar mini} sets), many times faster than two threads when another process competes for the cores.
 */
package ai.redstar.examples.mini;
