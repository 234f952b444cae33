/**
 * Multiple-choice answers: the entry class is {@link ai.redstar.verify.choice.ChoiceAnswers}, which extracts the
 * chosen letter(s) from a response (boxed, "the answer is (B)", a bare last line, or an option's text) and
 * compares them with the gold as a set. {@link ai.redstar.verify.choice.ChoiceOptions} carries a question's
 * options (parsed from GeoQA-style text or given as a list); {@link ai.redstar.verify.choice.ChoiceResult} is the
 * grade with its {@link ai.redstar.verify.choice.ChoiceResult.Reason reason}.
 */
package ai.redstar.verify.choice;
