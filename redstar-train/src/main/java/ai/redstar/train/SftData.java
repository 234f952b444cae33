package ai.redstar.train;

import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.core.tokenizer.ChatTokenizer;
import ai.redstar.core.vision.VisionLmConfig;
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
import java.util.Optional;
import java.util.OptionalInt;
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
 * <p><b>Images.</b> With {@link Builder#images(VisionLmConfig)}, records may be TRL vision records
 * {@code {"messages": [...], "images": ["fig.png"]}} whose user content is a list of parts
 * {@code [{"type": "image"}, {"type": "text", "text": ...}]} (joined with newlines, the image part written as the
 * placeholder, default {@code "<image>"}) or a string containing the placeholder. Image paths are relative to the
 * JSONL file's folder (or absolute). Indexing checks that every image exists and decodes and that placeholders and
 * images match in number; a bad record fails naming the file, line and path (or is skipped and counted under
 * {@link MalformedLinePolicy#SKIP}). The chat template renders the placeholder, which must be one token of the
 * tokenizer; each such token is then expanded to {@link VisionLmConfig#imageSeqLength()} copies of
 * {@link VisionLmConfig#imageTokenIndex()}, never learned, and the {@link TokenizedExample} lists its image files.
 * Image bytes are read again when training and are not part of the {@link #fingerprint()} (their paths are).
 *
 * <p>Immutable and thread-safe (reads open the file for each batch).
 */
public final class SftData {
    private final Source source;
    private final int[] lengths;
    private final int[] firstTargets;
    private final int[] imageCounts;
    private final long skippedLines;
    private final String fingerprint;
    private final Path tokenizerFolder;

    private SftData(Source source, int[] lengths, int[] firstTargets, int[] imageCounts, long skippedLines,
            String fingerprint, Path tokenizerFolder) {
        this.source = source;
        this.lengths = lengths;
        this.firstTargets = firstTargets;
        this.imageCounts = imageCounts;
        this.tokenizerFolder = tokenizerFolder;
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
     * Examples already tokenized, kept in memory (for small sets, tests and data made in code). Examples with images
     * must already hold the expanded image tokens (see {@link TokenizedExample}); their image files are read when
     * training.
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
        int[] imageCounts = new int[copy.size()];
        MessageDigest digest = sha256();
        for (int i = 0; i < copy.size(); i++) {
            TokenizedExample e = copy.get(i);
            lengths[i] = e.length();
            firstTargets[i] = e.firstTarget();
            imageCounts[i] = e.images().size();
            for (Path image : e.images()) {
                digest.update(image.toString().getBytes(StandardCharsets.UTF_8));
            }
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
        return new SftData(source, lengths, firstTargets, imageCounts, 0,
                "examples:" + copy.size() + ":sha256:" + HexFormat.of().formatHex(digest.digest()), null);
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

    /** Number of records with at least one image. */
    public int imageRecords() {
        int n = 0;
        for (int c : imageCounts) {
            if (c > 0) {
                n++;
            }
        }
        return n;
    }

    /** The folder of the tokenizer that tokenized a JSONL file (its files go into checkpoints); empty for examples. */
    Optional<Path> tokenizerFolder() {
        return Optional.ofNullable(tokenizerFolder);
    }

    /** Images of record {@code index}. */
    int imageCount(int index) {
        return imageCounts[index];
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
        private VisionLmConfig vision;
        private String imagePlaceholder = Conversations.DEFAULT_PLACEHOLDER;

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
         * Reads image records for this vision-language model (default: text only, and a record with images fails):
         * each image placeholder is expanded to {@code config.imageSeqLength()} copies of
         * {@code config.imageTokenIndex()}. See the class comment.
         */
        public Builder images(VisionLmConfig config) {
            once("images");
            this.vision = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The text that stands for an image in a message and that an image part is written as (default
         * {@code "<image>"}, llava-hf's); it must be a single token of the tokenizer (an added or special token).
         */
        public Builder imagePlaceholder(String placeholder) {
            once("imagePlaceholder");
            Objects.requireNonNull(placeholder, "placeholder");
            if (placeholder.isEmpty()) {
                throw new IllegalArgumentException("imagePlaceholder must not be empty");
            }
            this.imagePlaceholder = placeholder;
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
            Conversations.Images images = null;
            if (vision != null) {
                OptionalInt placeholderId = tokenizer.tokenToId(imagePlaceholder);
                if (placeholderId.isEmpty()) {
                    throw new IllegalArgumentException("the image placeholder '" + imagePlaceholder + "' is not a token"
                            + " of the tokenizer in " + tokenizer.folder() + "; add it as a special token (for a"
                            + " llava-hf model it is '<image>') or set imagePlaceholder");
                }
                images = new Conversations.Images(imagePlaceholder, placeholderId.getAsInt(),
                        vision.imageTokenIndex(), vision.imageSeqLength());
            }
            JsonlSource.Indexed indexed = JsonlSource.index(file, tokenizer, malformedLines, assistantLoss, images);
            if (indexed.lengths().length == 0) {
                throw new IllegalArgumentException("SFT data file " + file + " holds no valid record"
                        + (indexed.skipped() > 0 ? " (" + indexed.skipped() + " lines skipped)" : ""));
            }
            MessageDigest digest = sha256();
            digest.update(indexed.fileSha256().getBytes(StandardCharsets.UTF_8));
            digest.update(assistantLoss.name().getBytes(StandardCharsets.UTF_8));
            if (images != null) {
                digest.update(images.toString().getBytes(StandardCharsets.UTF_8));
            }
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
            return new SftData(indexed.source(), indexed.lengths(), indexed.firstTargets(), indexed.imageCounts(),
                    indexed.skipped(), fingerprint, tokenizer.folder());
        }

        private void once(String property) {
            if (!set.add(property)) {
                throw new IllegalStateException("SftData property '" + property + "' was already set");
            }
        }
    }
}
