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
 *   <li>{@link ai.redstar.examples.mini.Feasibility}: the measured study behind the miniature's settings.</li>
 * </ul>
 */
package ai.redstar.examples.mini;
