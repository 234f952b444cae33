/**
 * Preference pairs for DPO: a {@link ai.redstar.data.pairs.PairingPolicy} (shortest right against longest wrong, all
 * pairs, or a seeded number per problem) makes {@link ai.redstar.data.pairs.PreferencePair}s from a problem's right
 * and wrong traces.
 */
package ai.redstar.data.pairs;
