package ai.redstar.verify.math;

/**
 * One lexical unit of an answer.
 *
 * @param kind what the token is
 * @param text the canonical spelling: digits of a number ({@code "0.5"}, {@code "6.02e23"},
 *     {@code "0.1\overline{6}"}), a word, a command with its backslash ({@code "\frac"}) or a symbol
 * @param number the exact value of a {@link Kind#NUMBER}; {@code null} for other kinds or a number too large
 *     to hold exactly
 * @param approximate whether a number was written with a terminating decimal point or an exponent, so that it
 *     may be a rounded value
 * @param fromText whether the token came from inside {@code \text{...}} or a similar text command
 */
record Token(Kind kind, String text, Rational number, boolean approximate, boolean fromText) {

    enum Kind {
        NUMBER, WORD, COMMAND, SYMBOL, END
    }

    static final Token END = new Token(Kind.END, "", null, false, false);

    static Token symbol(String text) {
        return new Token(Kind.SYMBOL, text, null, false, false);
    }

    static Token command(String text) {
        return new Token(Kind.COMMAND, text, null, false, false);
    }

    static Token word(String text, boolean fromText) {
        return new Token(Kind.WORD, text, null, false, fromText);
    }

    boolean is(String symbolOrCommand) {
        return (kind == Kind.SYMBOL || kind == Kind.COMMAND) && text.equals(symbolOrCommand);
    }

    boolean isWord(String word) {
        return kind == Kind.WORD && text.equalsIgnoreCase(word);
    }

    @Override
    public String toString() {
        return text;
    }
}
