package ai.redstar.train;

import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Supervised fine-tuning records, tokenized on demand: a JSONL file in TRL's chat forms ({@link #fromJsonl}) or
 * examples already tokenized ({@link #of}).
 *
 * <p><b>JSONL.</b> Each line is {@code {"messages": [{"role": ..., "content": ...}, ...]}} or
 * {@code {"prompt": ..., "completion": ...}} (strings or message lists; see {@link AssistantLoss} for what is
 * learned). Building the data streams the file once: every line is parsed and validated, every record is rendered
 * with the tokenizer's chat template and tokenized (in parallel) so that its length is known, and the bytes are
 * hashed into the {@link #fingerprint()}. A bad line fails naming the file, line and field, or, under
 * {@link MalformedLinePolicy#SKIP}, is logged and counted in {@link #skippedLines()}. What stays in memory is 16
 * bytes per record (byte offset, length, first target); training reads records back by offset and tokenizes them
 * again, so a file of millions of long records never sits in memory. The file must not change afterwards (checked
 * by size and modification time on every read).
 *
 * <p>Immutable and thread-safe (reads open the file for each batch).
 */
public final class SftData {
    private final Source source;
    private final int[] lengths;
    private final int[] firstTargets;
    private final long skippedLines;
    private final String fingerprint;

    private SftData(Source source, int[] lengths, int[] firstTargets, long skippedLines, String fingerprint) {
        this.source = source;
        this.lengths = lengths;
        this.firstTargets = firstTargets;
        this.skippedLines = skippedLines;
        this.fingerprint = fingerprint;
    }

    /** Where records come from; package-private so that batching reads them without copies. */
    interface Source {
        /** The records at these indices, tokenized, in order. */
        List<TokenizedExample> examples(int[] indices);

        /** Where record {@code index} comes from, for messages. */
        String describe(int index);
    }

    /**
     * Indexes a JSONL file with the defaults: malformed lines fail, all learned assistant turns carry the loss.
     *
     * @see Builder#build()
     */
    public static SftData fromJsonl(Path file, ChatTokenizer tokenizer) {
        return builder(file, tokenizer).build();
    }

    /**
     * A builder for a JSONL file.
     *
     * @param file the JSONL file
     * @param tokenizer the model's tokenizer with its chat template; used again whenever records are read, so it
     *     must stay open while the data is used
     */
    public static Builder builder(Path file, ChatTokenizer tokenizer) {
        return new Builder(file, tokenizer);
    }

    /**
     * Examples already tokenized, kept in memory (for small sets, tests and data made in code).
     *
     * @throws IllegalArgumentException when the list is empty or holds null
     */
    public static SftData of(List<TokenizedExample> examples) {
        Objects.requireNonNull(examples, "examples");
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples");
        }
        List<TokenizedExample> copy = List.copyOf(examples);
        int[] lengths = new int[copy.size()];
        int[] firstTargets = new int[copy.size()];
        MessageDigest digest = sha256();
        for (int i = 0; i < copy.size(); i++) {
            TokenizedExample e = copy.get(i);
            lengths[i] = e.length();
            firstTargets[i] = e.firstTarget();
            ByteBuffer bytes = ByteBuffer.allocate(4 + 5 * e.length());
            bytes.putInt(e.length());
            for (int t = 0; t < e.length(); t++) {
                bytes.putInt(e.id(t)).put((byte) (e.target(t) ? 1 : 0));
            }
            digest.update(bytes.array());
        }
        Source source = new Source() {
            @Override
            public List<TokenizedExample> examples(int[] indices) {
                List<TokenizedExample> out = new ArrayList<>(indices.length);
                for (int i : indices) {
                    out.add(copy.get(i));
                }
                return out;
            }

            @Override
            public String describe(int index) {
                return "example " + index;
            }
        };
        return new SftData(source, lengths, firstTargets, 0,
                "examples:" + copy.size() + ":sha256:" + HexFormat.of().formatHex(digest.digest()));
    }

    /** Number of records (lines skipped under {@link MalformedLinePolicy#SKIP} excluded). */
    public int size() {
        return lengths.length;
    }

    /** Record {@code index}, tokenized (read from the file again for JSONL data). */
    public TokenizedExample example(int index) {
        Objects.checkIndex(index, lengths.length);
        return source.examples(new int[] {index}).get(0);
    }

    /** Where record {@code index} comes from, e.g. {@code "cot.jsonl line 12"} or {@code "example 12"}. */
    public String describe(int index) {
        Objects.checkIndex(index, lengths.length);
        return source.describe(index);
    }

    /** Lines left out under {@link MalformedLinePolicy#SKIP} (malformed JSON or an invalid record); 0 otherwise. */
    public long skippedLines() {
        return skippedLines;
    }

    /**
     * Identifies the data as training sees it: for JSONL the SHA-256 of the file's bytes, the number of records, the
     * {@link AssistantLoss} and a hash of the tokenizer's files; for examples a hash of their ids and masks. A
     * resumed run refuses data with another fingerprint.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** Token count of record {@code index} (before truncation). */
    int length(int index) {
        return lengths[index];
    }

    /** The first target index {@code t ≥ 1} of record {@code index}, or {@link Integer#MAX_VALUE}. */
    int firstTarget(int index) {
        return firstTargets[index];
    }

    /** Records at these indices, tokenized, in order. */
    List<TokenizedExample> examples(int[] indices) {
        List<TokenizedExample> examples = source.examples(indices);
        for (int k = 0; k < indices.length; k++) {
            if (examples.get(k).length() != lengths[indices[k]]) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "%s now has %d tokens but had %d when indexed; the file or the tokenizer changed",
                        source.describe(indices[k]), examples.get(k).length(), lengths[indices[k]]));
            }
        }
        return examples;
    }

    @Override
    public String toString() {
        return "SftData{" + lengths.length + " records, " + fingerprint + "}";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** Configures the reading of a JSONL file; each property may be set once. */
    public static final class Builder {
        private final Path file;
        private final ChatTokenizer tokenizer;
        private final Set<String> set = new HashSet<>();
        private MalformedLinePolicy malformedLines = MalformedLinePolicy.FAIL;
        private AssistantLoss assistantLoss = AssistantLoss.ALL_TURNS;

        private Builder(Path file, ChatTokenizer tokenizer) {
            this.file = Objects.requireNonNull(file, "file");
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        }

        /**
         * What to do with a line that is not a valid record (malformed JSON, a missing or mistyped field, a
         * conversation the chat template rejects): {@link MalformedLinePolicy#FAIL} (default) throws naming the file,
         * line and field; {@link MalformedLinePolicy#SKIP} logs it and counts it in {@link #skippedLines()}.
         */
        public Builder malformedLines(MalformedLinePolicy policy) {
            once("malformedLines");
            this.malformedLines = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Which assistant messages are learned (default {@link AssistantLoss#ALL_TURNS}). */
        public Builder assistantLoss(AssistantLoss assistantLoss) {
            once("assistantLoss");
            this.assistantLoss = Objects.requireNonNull(assistantLoss, "assistantLoss");
            return this;
        }

        /**
         * Indexes the file (one streaming pass; shows progress).
         *
         * @throws ai.redstar.core.jsonl.JsonlException naming the file, line and field of the first invalid record
         *     (under {@link MalformedLinePolicy#FAIL})
         * @throws IllegalArgumentException when the file holds no valid record, or the tokenizer has no usable chat
         *     template
         * @throws UncheckedIOException when the file cannot be read
         */
        public SftData build() {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("SFT data file " + file
                        + (Files.exists(file) ? " is not a regular file" : " does not exist"));
            }
            try {
                tokenizer.applyChatTemplate(List.of(ChatMessage.user("?"), ChatMessage.assistant("!")), false);
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new IllegalArgumentException("the tokenizer in " + tokenizer.folder() + " cannot render"
                        + " conversations (" + e.getMessage() + "); SFT records are tokenized with the model's chat"
                        + " template, so it needs a usable chat_template in tokenizer_config.json", e);
            }
            JsonlSource.Indexed indexed = JsonlSource.index(file, tokenizer, malformedLines, assistantLoss);
            if (indexed.lengths().length == 0) {
                throw new IllegalArgumentException("SFT data file " + file + " holds no valid record"
                        + (indexed.skipped() > 0 ? " (" + indexed.skipped() + " lines skipped)" : ""));
            }
            MessageDigest digest = sha256();
            digest.update(indexed.fileSha256().getBytes(StandardCharsets.UTF_8));
            digest.update(assistantLoss.name().getBytes(StandardCharsets.UTF_8));
            for (String name : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                    "chat_template.jinja")) {
                Path f = tokenizer.folder().resolve(name);
                if (Files.isRegularFile(f)) {
                    try {
                        digest.update(name.getBytes(StandardCharsets.UTF_8));
                        digest.update(Files.readAllBytes(f));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read tokenizer file " + f + ": " + e.getMessage(), e);
                    }
                }
            }
            String fingerprint = String.format(Locale.ROOT, "jsonl:%d:sha256:%s:data+tokenizer:%s",
                    indexed.lengths().length, indexed.fileSha256(),
                    HexFormat.of().formatHex(digest.digest()).substring(0, 16));
            return new SftData(indexed.source(), indexed.lengths(), indexed.firstTargets(), indexed.skipped(),
                    fingerprint);
        }

        private void once(String property) {
            if (!set.add(property)) {
                throw new IllegalStateException("SftData property '" + property + "' was already set");
            }
        }
    }
}
