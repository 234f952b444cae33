/**
 * Problems in: {@link ai.redstar.data.problem.ProblemReader} streams a JSONL file through a
 * {@link ai.redstar.data.problem.ProblemFormat} (ready mappings for MATH, GSM8K, TACO/APPS and GeoQA-style multiple
 * choice) into {@link ai.redstar.data.problem.Problem}s, whose unmapped fields are carried through to every output;
 * {@link ai.redstar.data.problem.PromptTemplate} turns a problem into the conversation put to the teacher.
 */
package ai.redstar.data.problem;
