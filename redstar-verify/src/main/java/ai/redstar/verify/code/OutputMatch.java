package ai.redstar.verify.code;

/**
 * How a program's standard output is compared with the expected output. Both ignore trailing white space on a
 * line, runs of spaces and tabs between tokens, {@code \r}, and blank lines; tokens that both read as numbers and
 * at least one of which is written with a decimal point or exponent compare within the sandbox's float tolerance
 * ({@code |actual - expected| <= tolerance * max(1, |expected|)}); all other tokens, integers included, must be
 * equal character for character (case matters: {@code YES} is not {@code Yes}).
 */
public enum OutputMatch {
    /** Line by line: the same number of non-blank lines, each with the same tokens. The default. */
    LINES,
    /** The whole output as one sequence of tokens, line breaks being white space (Codeforces' default checker). */
    TOKENS
}
