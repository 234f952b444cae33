/**
 * The {@code redstar} command line ({@link ai.redstar.examples.RedstarCli}), runnable examples and benchmarks.
 */
package ai.redstar.examples;
