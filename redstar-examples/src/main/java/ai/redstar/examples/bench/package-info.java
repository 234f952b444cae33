/**
 * Benchmarks behind {@code redstar bench}: each prints one JSON line per figure on stdout, with the allocator that
 * ran (DJL-NOTES: the allocator settings nearly double CPU training speed).
 */
package ai.redstar.examples.bench;
