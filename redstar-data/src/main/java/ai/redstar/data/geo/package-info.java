/**
 * The hermetic geometry task (RedStar-Geo): {@link ai.redstar.data.geo.GeoTask} generates
 * {@link ai.redstar.data.geo.GeoProblem}s — figures of triangles, parallel lines and circles drawn with Java2D
 * (off-screen, headless), a question whose values live only in the figure, four options and a step-by-step teacher
 * trace — at three difficulty levels ({@link ai.redstar.data.geo.GeoKind}); a problem grades a model's response
 * through {@code RuleVerifier}'s multiple-choice grading; {@link ai.redstar.data.geo.GeoDatasets} writes and reads
 * them as TRL vision-format JSONL with PNGs beside it.
 */
package ai.redstar.data.geo;
