/** The {@code redstar bench} subcommands: benchmarks that print one JSON line per figure. */
package ai.redstar.examples.bench;
