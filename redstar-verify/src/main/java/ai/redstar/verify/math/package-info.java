/**
 * Math answers: extraction from a response, LaTeX normalisation and equivalence. The entry class is
 * {@link ai.redstar.verify.math.MathAnswers}; everything else here is package-private: a linear lexer, a
 * depth-bounded recursive-descent parser into an expression tree, exact rational evaluation, complex
 * floating-point evaluation with rounding-error bounds, and the decision procedure.
 */
package ai.redstar.verify.math;
