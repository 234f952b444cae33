/** Progress reporting for long jobs: {@link ai.redstar.core.progress.Progress}. */
package ai.redstar.core.progress;
