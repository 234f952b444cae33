package ai.redstar.data;

import ai.redstar.core.jsonl.Jsonl;
import ai.redstar.core.jsonl.JsonlReader;
import ai.redstar.core.jsonl.JsonlRecord;
import ai.redstar.core.jsonl.JsonlWriter;
import ai.redstar.core.jsonl.MalformedLinePolicy;
import ai.redstar.core.progress.Progress;
import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.data.dedup.Decontaminator;
import ai.redstar.data.dedup.ExactDedup;
import ai.redstar.data.dedup.MinHash;
import ai.redstar.data.dedup.MinHashIndex;
import ai.redstar.data.difficulty.Difficulty;
import ai.redstar.data.difficulty.DifficultyScorer;
import ai.redstar.data.difficulty.MixSelector;
import ai.redstar.data.difficulty.Selection;
import ai.redstar.data.filter.Candidate;
import ai.redstar.data.filter.FormatFilter;
import ai.redstar.data.filter.LanguageMixFilter;
import ai.redstar.data.filter.Rejection;
import ai.redstar.data.filter.RepetitionFilter;
import ai.redstar.data.filter.TokenCounter;
import ai.redstar.data.filter.TraceFilter;
import ai.redstar.data.filter.TruncationFilter;
import ai.redstar.data.filter.VerifiedFilter;
import ai.redstar.data.pairs.PairingPolicy;
import ai.redstar.data.pairs.PreferencePair;
import ai.redstar.data.problem.Problem;
import ai.redstar.data.problem.ProblemFormat;
import ai.redstar.data.problem.ProblemReader;
import ai.redstar.data.problem.PromptTemplate;
import ai.redstar.data.sample.OpenAiSampler;
import ai.redstar.data.sample.Sample;
import ai.redstar.data.sample.SamplerException;
import ai.redstar.data.sample.Trace;
import ai.redstar.data.sample.TraceSampler;
import ai.redstar.verify.RuleVerifier;
import ai.redstar.verify.Verdict;
import com.google.common.hash.Hashing;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds long chain-of-thought SFT data and preference pairs from problems, a teacher and the rule-based verifier,
 * as in RedStar (arXiv 2501.11284): favour hard problems, sample several long traces per problem, keep the traces the
 * verifier accepts and the quality filters pass.
 *
 * <pre>{@code
 * DatasetReport report = LongCotDataset.builder(Path.of("math.jsonl"), ProblemFormat.math(), teacher)
 *         .samplesPerProblem(8)
 *         .difficulty(DifficultyScorer.builder(DifficultyStrategy.declaredLevel(LevelScale.math())).build())
 *         .selection(new Selection.Threshold(0.5, 1.0))
 *         .nearDuplicates(MinHash.builder().build())
 *         .pairing(new PairingPolicy.ShortestRightLongestWrong())
 *         .build()
 *         .run(Path.of("out"));
 * System.out.println(report.toTable());
 * }</pre>
 *
 * <h2>Stages</h2>
 * <ol>
 *   <li><b>Screen</b> (streaming, in input order): exact duplicates of an earlier question, near-duplicates
 *       ({@link MinHash}), and questions overlapping a benchmark ({@link Decontaminator}) are set aside; the others are
 *       scored by the {@link DifficultyScorer} (in parallel). One line per problem goes to {@code problems.jsonl}:
 *       {@code line}, {@code id}, {@code status} (kept, exact_duplicate, near_duplicate, contaminated, unscored), and
 *       the difficulty, duplicate's line or benchmark overlaps.</li>
 *   <li><b>Select</b> by the {@link Selection} over the kept, scored problems.</li>
 *   <li><b>Sample and judge</b> (in parallel, written in input order): the teacher samples
 *       {@link Builder#samplesPerProblem} traces of each selected problem with the seed
 *       {@code MixSelector.rank(seed, problem id)}; every trace is verified; the quality filters run in order and a
 *       trace they all pass is kept when the verifier accepts it. Kept traces go to {@code sft.jsonl}; pairs of a kept
 *       trace and a wrong one (verified wrong or without an answer, passing the quality filters) to
 *       {@code pairs.jsonl}; optionally every dropped trace with its reason to {@code rejected.jsonl}. Each dropped
 *       trace counts once, under the first filter that dropped it, or under {@code verified/<status>}.</li>
 *   <li><b>Report</b>: {@code report.json}, also returned as a {@link DatasetReport}.</li>
 * </ol>
 * Output formats: {@code sft.jsonl} holds TRL conversational records ({@code messages}: the prompt and the assistant's
 * trace, {@link ai.redstar.data.sample.Sample#text()}), {@code pairs.jsonl} TRL conversational preference records
 * ({@code prompt}, {@code chosen}, {@code rejected}); both carry a {@code provenance} object (problem id and line,
 * sample index, teacher, source, level, gold answer, difficulty and bucket, verdict, tokens, finish reason) and every
 * unmapped field of the problem's input record (fields whose names clash go under {@code input_fields}).
 *
 * <h2>Resuming</h2>
 * Every file is append-only. After a problem's records are written, a line naming the problem and the sizes of the
 * output files goes to {@code journal.jsonl}. A run into a directory that holds an earlier run of the same settings
 * ({@code run.json}: input fingerprint, format, teacher, prompt, samples, seed, difficulty, selection, filters,
 * pairing, dedup; a different one is refused) cuts each output back to the sizes of the last journal line, so
 * records of an unfinished problem are removed, skips finished problems, and writes the rest: killed at any moment
 * and run again, the outputs hold each record once. Screening resumes after the last screened line. A lock file keeps
 * two runs out of one directory.
 *
 * <p>Memory: the input is streamed twice; held in memory are the dedup indexes (about 35 to 70 bytes per problem
 * exact, 0.5 to 1 KiB per problem near with 16 bands), the selection and journal as bit sets over line numbers, a
 * window of {@code 2 × parallelism} problems in flight, and for the report one int per kept trace.
 *
 * <p>Immutable; {@link #run} may be called again (it resumes). Not for concurrent runs into one directory.
 */
public final class LongCotDataset {
    private static final Logger LOG = LoggerFactory.getLogger(LongCotDataset.class);

    /** The files of an output directory. */
    public static final String MANIFEST = "run.json";
    public static final String SCREENING = "problems.jsonl";
    public static final String SFT = "sft.jsonl";
    public static final String PAIRS = "pairs.jsonl";
    public static final String REJECTED = "rejected.jsonl";
    public static final String JOURNAL = "journal.jsonl";
    public static final String REPORT = "report.json";
    private static final String LOCK = ".lock";

    private final Path problems;
    private final ProblemFormat format;
    private final TraceSampler teacher;
    private final PromptTemplate prompt;
    private final int samplesPerProblem;
    private final DifficultyScorer scorer;
    private final Selection selection;
    private final List<TraceFilter> filters;
    private final RuleVerifier verifier;
    private final TokenCounter tokenCounter;
    private final boolean exactDedup;
    private final MinHash nearDuplicates;
    private final Decontaminator decontaminator;
    private final PairingPolicy pairing;
    private final long seed;
    private final int parallelism;
    private final MalformedLinePolicy malformedLines;
    private final SamplerFailure samplerFailure;
    private final boolean keepRejected;
    private final Progress.Mode progress;

    private LongCotDataset(Builder b) {
        this.problems = b.problems;
        this.format = b.format;
        this.teacher = b.teacher;
        this.prompt = b.prompt == null ? PromptTemplate.standard() : b.prompt;
        this.samplesPerProblem = b.samplesPerProblem == null ? 4 : b.samplesPerProblem;
        this.scorer = b.scorer;
        this.selection = b.selection == null ? new Selection.All() : b.selection;
        this.filters = b.filters == null ? List.of(TruncationFilter.standard(), FormatFilter.standard(),
                RepetitionFilter.standard(), LanguageMixFilter.standard()) : List.copyOf(b.filters);
        this.verifier = b.verifier == null ? RuleVerifier.builder().build() : b.verifier;
        this.tokenCounter = b.tokenCounter == null ? TokenCounter.approximate() : b.tokenCounter;
        this.exactDedup = b.exactDedup == null || b.exactDedup;
        this.nearDuplicates = b.nearDuplicates;
        this.decontaminator = b.decontaminator;
        this.pairing = b.pairing == null ? new PairingPolicy.ShortestRightLongestWrong() : b.pairing;
        this.seed = b.seed == null ? 0 : b.seed;
        int cores = Runtime.getRuntime().availableProcessors();
        this.parallelism = b.parallelism != null ? b.parallelism
                : teacher instanceof OpenAiSampler o ? Math.max(cores, o.concurrency()) : cores;
        this.malformedLines = b.malformedLines == null ? MalformedLinePolicy.FAIL : b.malformedLines;
        this.samplerFailure = b.samplerFailure == null ? SamplerFailure.STOP : b.samplerFailure;
        this.keepRejected = b.keepRejected != null && b.keepRejected;
        this.progress = b.progress;
    }

    /** A dataset of the problems in {@code problems} (JSONL, read through {@code format}) sampled from {@code teacher}. */
    public static Builder builder(Path problems, ProblemFormat format, TraceSampler teacher) {
        return new Builder(problems, format, teacher);
    }

    public Path problems() {
        return problems;
    }

    public int samplesPerProblem() {
        return samplesPerProblem;
    }

    public List<TraceFilter> filters() {
        return filters;
    }

    public int parallelism() {
        return parallelism;
    }

    /**
     * Runs every stage into {@code outputDir} (created when missing), resuming an earlier run there.
     *
     * @return the report over everything in the directory
     * @throws IllegalStateException when the directory holds a run with other settings, another run holds it, or a
     *     file was damaged other than by a kill
     * @throws ai.redstar.core.jsonl.JsonlException naming the file, line and field of a malformed problem (under
     *     {@link MalformedLinePolicy#FAIL})
     * @throws SamplerException when the teacher fails and {@link SamplerFailure#STOP} applies
     */
    public DatasetReport run(Path outputDir) {
        Objects.requireNonNull(outputDir, "outputDir");
        try {
            Files.createDirectories(outputDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output directory " + outputDir + ": " + e.getMessage(), e);
        }
        try (FileChannel lockChannel = FileChannel.open(outputDir.resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockChannel.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("another run is writing into " + outputDir + " (it holds "
                        + outputDir.resolve(LOCK) + "); wait for it or use another directory");
            }
            checkManifest(outputDir);
            long malformed = screen(outputDir);
            SelectionResult chosen = select(outputDir);
            long failures = generate(outputDir, chosen.lines());
            DatasetReport report = report(outputDir, chosen, malformed, failures);
            writeAtomically(outputDir.resolve(REPORT), report.toJsonText());
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock output directory " + outputDir + ": " + e.getMessage(), e);
        }
    }

    // ================================================================ manifest

    /** The settings that decide the outputs; a resumed run must have the same. */
    JsonObject manifest() {
        JsonObject m = new JsonObject();
        m.addProperty("version", 1);
        JsonObject input = new JsonObject();
        input.addProperty("file", problems.toAbsolutePath().normalize().toString());
        try {
            input.addProperty("bytes", Files.size(problems));
            input.addProperty("murmur3_128", com.google.common.io.Files.asByteSource(problems.toFile())
                    .hash(Hashing.murmur3_128()).toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read problems file " + problems + ": " + e.getMessage(), e);
        }
        m.add("input", input);
        m.addProperty("format", format.toString());
        m.addProperty("malformed_lines", malformedLines.name());
        m.addProperty("teacher", teacher.teacher());
        m.addProperty("sampler", teacher.settings());
        m.addProperty("prompt", prompt.toString());
        m.addProperty("samples_per_problem", samplesPerProblem);
        m.addProperty("seed", seed);
        m.addProperty("difficulty", scorer == null ? "none" : scorer.toString());
        m.addProperty("selection", selection.toString());
        JsonArray f = new JsonArray();
        filters.forEach(x -> f.add(x.toString()));
        m.add("filters", f);
        m.addProperty("pairing", pairing.toString());
        m.addProperty("exact_dedup", exactDedup);
        m.addProperty("near_duplicates", nearDuplicates == null ? "none" : nearDuplicates.toString());
        m.addProperty("decontamination", decontaminator == null ? "none"
                : decontaminator.ngramWords() + "-grams over " + new TreeMap<>(decontaminator.itemsPerBenchmark()));
        m.addProperty("keep_rejected", keepRejected);
        return m;
    }

    private void checkManifest(Path out) {
        Path file = out.resolve(MANIFEST);
        JsonObject now = manifest();
        if (Files.exists(file)) {
            JsonObject before;
            try {
                before = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new IllegalStateException(file + " is not a run manifest (" + e.getMessage()
                        + "); move the output directory away and start afresh", e);
            }
            List<String> differences = new ArrayList<>();
            for (String key : now.keySet()) {
                if (!now.get(key).equals(before.get(key))) {
                    differences.add(key + " was " + before.get(key) + ", now " + now.get(key));
                }
            }
            if (!differences.isEmpty()) {
                throw new IllegalStateException(out + " holds a run with other settings, so it cannot be resumed: "
                        + String.join("; ", differences) + ". Use another output directory, or the same settings");
            }
            LOG.info("resuming the run in {}", out);
        } else {
            if (Files.exists(out.resolve(JOURNAL)) || Files.exists(out.resolve(SCREENING))) {
                throw new IllegalStateException(out + " holds run files but no " + MANIFEST
                        + "; move them away or use another output directory");
            }
            writeAtomically(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(now));
        }
    }

    // ================================================================ stage 1: screen

    /** Screens every problem not yet in the screening log; returns the malformed lines skipped in the input. */
    private long screen(Path out) {
        Path log = out.resolve(SCREENING);
        long[] last = {0};
        AppendLogs.recover(log, e -> last[0] = Math.max(last[0], e.get("line").getAsLong()));
        ExactDedup exact = exactDedup ? ExactDedup.create() : null;
        MinHashIndex near = nearDuplicates == null ? null : nearDuplicates.newIndex();
        long screened = 0;
        try (ProblemReader reader = ProblemReader.open(problems, format, malformedLines);
                JsonlWriter writer = Jsonl.append(log);
                OrderedPool<JsonObject> pool = new OrderedPool<>(parallelism, 2 * parallelism, "redstar-screen",
                        writer::write);
                Progress bar = last[0] == 0 ? Progress.start("screen", -1, progressMode()) : null) {
            while (reader.hasNext()) {
                Problem p = reader.next();
                JsonObject entry = new JsonObject();
                entry.addProperty("line", p.index());
                entry.addProperty("id", p.id());
                String status = "kept";
                if (exact != null) {
                    var earlier = exact.add(p.question(), p.index());
                    if (earlier.isPresent()) {
                        status = "exact_duplicate";
                        entry.addProperty("duplicate_of_line", earlier.getAsLong());
                    }
                }
                if (status.equals("kept") && near != null) {
                    var earlier = near.add(nearDuplicates.signature(p.question()), p.index());
                    if (earlier.isPresent()) {
                        status = "near_duplicate";
                        entry.addProperty("duplicate_of_line", earlier.getAsLong());
                    }
                }
                if (p.index() <= last[0]) {
                    continue; // screened by an earlier run: only the dedup indexes needed it
                }
                if (status.equals("kept") && decontaminator != null) {
                    List<Decontaminator.Overlap> overlaps = decontaminator.check(p.question());
                    if (!overlaps.isEmpty()) {
                        status = "contaminated";
                        JsonArray a = new JsonArray();
                        for (Decontaminator.Overlap o : overlaps) {
                            JsonObject x = new JsonObject();
                            x.addProperty("benchmark", o.benchmark());
                            x.addProperty("id", o.id());
                            x.addProperty("shared_ngrams", o.sharedNgrams());
                            a.add(x);
                        }
                        entry.add("overlaps", a);
                    }
                }
                entry.addProperty("status", status);
                if (status.equals("kept") && scorer != null) {
                    pool.submit(() -> scored(p, entry));
                } else {
                    pool.submit(() -> entry);
                }
                screened++;
                if (bar != null) {
                    bar.step();
                }
            }
            pool.drain();
            if (screened > 0) {
                LOG.info("screened {} problems of {}", screened, problems);
            }
            return reader.skipped();
        }
    }

    private JsonObject scored(Problem p, JsonObject entry) {
        Optional<Difficulty> d = scorer.score(p);
        if (d.isEmpty()) {
            entry.addProperty("status", "unscored");
        } else {
            entry.addProperty("difficulty", d.get().value());
            entry.addProperty("bucket", d.get().bucket());
            JsonObject c = new JsonObject();
            d.get().components().forEach(c::addProperty);
            entry.add("components", c);
        }
        return entry;
    }

    // ================================================================ stage 2: select

    private record SelectionResult(BitSet lines, JsonObject summary) {
    }

    private SelectionResult select(Path out) {
        BitSet lines = new BitSet();
        MixSelector mix = selection instanceof Selection.TargetMix t ? new MixSelector(t) : null;
        AppendLogs.recover(out.resolve(SCREENING), e -> {
            if (!e.get("status").getAsString().equals("kept")) {
                return;
            }
            int line = lineOf(e);
            if (scorer == null) {
                lines.set(line);
                return;
            }
            double value = e.get("difficulty").getAsDouble();
            int bucket = e.get("bucket").getAsInt();
            if (selection instanceof Selection.All) {
                lines.set(line);
            } else if (selection instanceof Selection.Threshold t) {
                if (value >= t.min() && value <= t.max()) {
                    lines.set(line);
                }
            } else {
                mix.offer(line, e.get("id").getAsString(), bucket);
            }
        });
        JsonObject summary = new JsonObject();
        summary.addProperty("policy", selection.toString());
        if (mix != null) {
            lines.or(mix.selected());
            JsonObject quotas = new JsonObject();
            new TreeMap<>(mix.quotas()).forEach((b, q) -> quotas.addProperty(String.valueOf(b), q));
            summary.add("quotas", quotas);
            JsonObject shortfall = new JsonObject();
            new TreeMap<>(mix.shortfall()).forEach((b, q) -> shortfall.addProperty(String.valueOf(b), q));
            summary.add("shortfall", shortfall);
            if (!mix.shortfall().isEmpty()) {
                LOG.warn("target mix: buckets {} have fewer problems than their quotas {}", mix.shortfall(),
                        mix.quotas());
            }
        }
        return new SelectionResult(lines, summary);
    }

    private static int lineOf(JsonObject e) {
        long line = e.get("line").getAsLong();
        if (line > Integer.MAX_VALUE) {
            throw new IllegalStateException("problem line " + line + " is beyond the 2^31 lines a run handles");
        }
        return (int) line;
    }

    // ================================================================ stage 3: sample and judge

    /** What one problem produced, ready to write. */
    private record Outcome(Problem problem, List<JsonObject> sft, List<JsonObject> pairs, List<JsonObject> rejected,
            JsonObject journal, SamplerException failure) {
    }

    private long generate(Path out, BitSet selected) {
        Path journalFile = out.resolve(JOURNAL);
        BitSet done = new BitSet();
        JsonObject[] sizes = {null};
        AppendLogs.recover(journalFile, e -> {
            done.set(lineOf(e));
            sizes[0] = e.getAsJsonObject("sizes");
        });
        Path sftFile = out.resolve(SFT);
        Path pairsFile = out.resolve(PAIRS);
        Path rejectedFile = out.resolve(REJECTED);
        AppendLogs.truncate(sftFile, size(sizes[0], "sft"), null);
        AppendLogs.truncate(pairsFile, size(sizes[0], "pairs"), null);
        if (keepRejected) {
            AppendLogs.truncate(rejectedFile, size(sizes[0], "rejected"), null);
        }
        BitSet todo = (BitSet) selected.clone();
        todo.andNot(done);
        if (todo.isEmpty()) {
            return 0;
        }
        long[] failures = {0};
        long[] keptTraces = {0};
        long[] writtenPairs = {0};
        try (JsonlWriter sft = Jsonl.append(sftFile);
                JsonlWriter pairs = Jsonl.append(pairsFile);
                JsonlWriter rejected = keepRejected ? Jsonl.append(rejectedFile) : null;
                JsonlWriter journal = Jsonl.append(journalFile);
                Progress bar = Progress.start("dataset", todo.cardinality(), progressMode());
                ProblemReader reader = ProblemReader.open(problems, format, malformedLines);
                JsonlReader screening = Jsonl.reader(out.resolve(SCREENING));
                OrderedPool<Outcome> pool = new OrderedPool<>(parallelism, 2 * parallelism, "redstar-sample", o -> {
                    if (o.failure() != null) {
                        failures[0]++;
                        LOG.warn("problem {} (line {}) skipped: {}", o.problem().id(), o.problem().index(),
                                o.failure().getMessage());
                        bar.step();
                        return;
                    }
                    o.sft().forEach(sft::write);
                    o.pairs().forEach(pairs::write);
                    if (rejected != null) {
                        o.rejected().forEach(rejected::write);
                    }
                    JsonObject s = new JsonObject();
                    s.addProperty("sft", fileSize(sftFile));
                    s.addProperty("pairs", fileSize(pairsFile));
                    if (rejected != null) {
                        s.addProperty("rejected", fileSize(rejectedFile));
                    }
                    o.journal().add("sizes", s);
                    journal.write(o.journal());
                    keptTraces[0] += o.sft().size();
                    writtenPairs[0] += o.pairs().size();
                    bar.status("kept " + keptTraces[0] + " traces, " + writtenPairs[0] + " pairs");
                    bar.step();
                })) {
            while (reader.hasNext()) {
                Problem p = reader.next();
                int line = (int) Math.min(Integer.MAX_VALUE, p.index());
                if (!todo.get(line)) {
                    continue;
                }
                JsonObject entry = screeningEntry(screening, p.index());
                Optional<Difficulty> difficulty = entry.has("difficulty") ? Optional.of(new Difficulty(
                        entry.get("difficulty").getAsDouble(), entry.get("bucket").getAsInt(), Map.of()))
                        : Optional.empty();
                pool.submit(() -> judge(p, difficulty));
            }
            pool.drain();
        }
        return failures[0];
    }

    private static JsonObject screeningEntry(JsonlReader screening, long line) {
        while (screening.hasNext()) {
            JsonlRecord r = screening.next();
            long l = r.integer("line");
            if (l == line) {
                return r.json();
            }
            if (l > line) {
                break;
            }
        }
        throw new IllegalStateException("problem at line " + line + " of the input has no screening entry in "
                + screening.file() + "; the input changed since it was screened");
    }

    private static long size(JsonObject sizes, String file) {
        return sizes == null || !sizes.has(file) ? 0 : sizes.get(file).getAsLong();
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
    }

    /** Samples, verifies, filters and pairs one problem (on a worker thread). */
    private Outcome judge(Problem p, Optional<Difficulty> difficulty) {
        List<ChatMessage> messages = prompt.messages(p);
        List<Sample> samples;
        try {
            samples = teacher.sample(messages, samplesPerProblem, MixSelector.rank(seed, p.id()));
        } catch (SamplerException e) {
            if (samplerFailure == SamplerFailure.SKIP_PROBLEM) {
                return new Outcome(p, List.of(), List.of(), List.of(), null, e);
            }
            throw new SamplerException("problem " + p.id() + " (line " + p.index() + " of " + problems + "): "
                    + e.getMessage(), e.retryable(), e);
        }
        if (samples.size() != samplesPerProblem) {
            throw new IllegalStateException("teacher " + teacher.teacher() + " returned " + samples.size()
                    + " samples for problem " + p.id() + "; " + samplesPerProblem + " were asked");
        }
        List<Candidate> right = new ArrayList<>();
        List<Candidate> wrong = new ArrayList<>();
        List<JsonObject> rejected = new ArrayList<>();
        Map<String, Long> drops = new TreeMap<>();
        Map<String, Long> verdicts = new LinkedHashMap<>();
        JsonArray keptTokens = new JsonArray();
        for (int i = 0; i < samples.size(); i++) {
            Candidate c = Candidate.of(p, new Trace(p.id(), i, teacher.teacher(), samples.get(i)), tokenCounter,
                    verifier);
            Verdict v = c.verdict();
            verdicts.merge(v.status().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
            Rejection why = null;
            for (TraceFilter f : filters) {
                Optional<Rejection> r = f.check(c);
                if (r.isPresent()) {
                    why = r.get();
                    break;
                }
            }
            if (why == null) {
                if (v.correct()) {
                    right.add(c);
                    keptTokens.add(c.tokenCount());
                    continue;
                }
                if (v.status() == Verdict.Status.WRONG || v.status() == Verdict.Status.NO_ANSWER) {
                    wrong.add(c);
                }
                why = VerifiedFilter.create().check(c).orElseThrow();
            }
            drops.merge(why.key(), 1L, Long::sum);
            if (keepRejected) {
                rejected.add(OutputRecords.rejected(p, c, why));
            }
        }
        List<JsonObject> sft = new ArrayList<>();
        for (Candidate c : right) {
            sft.add(OutputRecords.sft(p, messages, c, difficulty));
        }
        List<JsonObject> pairRecords = new ArrayList<>();
        String policy = pairing.toString();
        for (PreferencePair pair : pairing.pairs(right, wrong)) {
            pairRecords.add(OutputRecords.pair(p, messages, pair, policy, difficulty));
        }
        JsonObject j = new JsonObject();
        j.addProperty("line", p.index());
        j.addProperty("id", p.id());
        difficulty.ifPresent(d -> {
            j.addProperty("difficulty", d.value());
            j.addProperty("bucket", d.bucket());
        });
        j.addProperty("samples", samples.size());
        j.addProperty("kept", sft.size());
        j.addProperty("pairs", pairRecords.size());
        JsonObject v = new JsonObject();
        verdicts.forEach(v::addProperty);
        j.add("verdicts", v);
        JsonObject d = new JsonObject();
        drops.forEach(d::addProperty);
        j.add("drops", d);
        j.add("kept_tokens", keptTokens);
        return new Outcome(p, sft, pairRecords, rejected, j, null);
    }

    // ================================================================ report

    private DatasetReport report(Path out, SelectionResult chosen, long malformed, long failures) {
        List<String> order = new ArrayList<>();
        filters.forEach(f -> order.add(f.name()));
        ReportBuilder rb = new ReportBuilder(scorer == null ? 0 : scorer.buckets(), order);
        rb.malformedSkipped(malformed);
        rb.samplerFailures(failures);
        AppendLogs.recover(out.resolve(SCREENING), e -> rb.screened(e, e.get("status").getAsString().equals("kept")
                && chosen.lines().get(lineOf(e))));
        AppendLogs.recover(out.resolve(JOURNAL), rb::finished);
        return rb.build(chosen.summary());
    }

    private Progress.Mode progressMode() {
        if (progress != null) {
            return progress;
        }
        String value = System.getProperty("redstar.progress", "auto");
        try {
            return Progress.Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property redstar.progress is '" + value
                    + "'; expected auto, bar, log or off", e);
        }
    }

    private static void writeAtomically(Path file, String text) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "LongCotDataset" + manifestWithoutInputHash();
    }

    private JsonElement manifestWithoutInputHash() {
        JsonObject m = new JsonObject();
        m.addProperty("problems", problems.toString());
        m.addProperty("teacher", teacher.toString());
        m.addProperty("samplesPerProblem", samplesPerProblem);
        m.addProperty("parallelism", parallelism);
        return m;
    }

    /**
     * Settings of a {@link LongCotDataset}. Each may be set once; {@link #build()} reports every problem at once.
     */
    public static final class Builder {
        private final Path problems;
        private final ProblemFormat format;
        private final TraceSampler teacher;
        private PromptTemplate prompt;
        private Integer samplesPerProblem;
        private DifficultyScorer scorer;
        private Selection selection;
        private List<TraceFilter> filters;
        private RuleVerifier verifier;
        private TokenCounter tokenCounter;
        private Boolean exactDedup;
        private MinHash nearDuplicates;
        private Decontaminator decontaminator;
        private PairingPolicy pairing;
        private Long seed;
        private Integer parallelism;
        private MalformedLinePolicy malformedLines;
        private SamplerFailure samplerFailure;
        private Boolean keepRejected;
        private Progress.Mode progress;
        private final List<String> problemsFound = new ArrayList<>();

        private Builder(Path problems, ProblemFormat format, TraceSampler teacher) {
            this.problems = Objects.requireNonNull(problems, "problems");
            this.format = Objects.requireNonNull(format, "format");
            this.teacher = Objects.requireNonNull(teacher, "teacher");
        }

        private void once(Object current, String name) {
            if (current != null) {
                problemsFound.add(name + " was set twice");
            }
        }

        /** How problems are put to the teacher (default {@link PromptTemplate#standard()}). */
        public Builder prompt(PromptTemplate prompt) {
            once(this.prompt, "prompt");
            this.prompt = Objects.requireNonNull(prompt, "prompt");
            return this;
        }

        /** Traces sampled per selected problem (default 4), in [1, 1024]. */
        public Builder samplesPerProblem(int samples) {
            once(this.samplesPerProblem, "samplesPerProblem");
            this.samplesPerProblem = samples;
            return this;
        }

        /** How problems are scored by difficulty (default: not scored; then the selection must be {@code All}). */
        public Builder difficulty(DifficultyScorer scorer) {
            once(this.scorer, "difficulty");
            this.scorer = Objects.requireNonNull(scorer, "scorer");
            return this;
        }

        /** Which scored problems are sampled (default {@link Selection.All}). */
        public Builder selection(Selection selection) {
            once(this.selection, "selection");
            this.selection = Objects.requireNonNull(selection, "selection");
            return this;
        }

        /**
         * The quality filters, run in this order before the verifier's verdict decides (default: truncation,
         * format, repetition, language mixing; add a {@link ai.redstar.data.filter.LengthFilter} for length bounds).
         * Verification is always the last stage: {@link VerifiedFilter} is not listed here.
         */
        public Builder filters(List<TraceFilter> filters) {
            once(this.filters, "filters");
            this.filters = List.copyOf(filters);
            return this;
        }

        /** {@link #filters(List)} from arguments. */
        public Builder filters(TraceFilter... filters) {
            return filters(List.of(filters));
        }

        /** The verifier of final answers (default {@code RuleVerifier.builder().build()}). */
        public Builder verifier(RuleVerifier verifier) {
            once(this.verifier, "verifier");
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /**
         * Counts tokens of traces that do not carry their own count (default {@link TokenCounter#approximate()};
         * use {@link TokenCounter#of} with the student's tokenizer for exact length bounds).
         */
        public Builder tokenCounter(TokenCounter counter) {
            once(this.tokenCounter, "tokenCounter");
            this.tokenCounter = Objects.requireNonNull(counter, "counter");
            return this;
        }

        /** Whether exact duplicate questions are set aside (default true). */
        public Builder exactDedup(boolean dedup) {
            once(this.exactDedup, "exactDedup");
            this.exactDedup = dedup;
            return this;
        }

        /**
         * Sets aside near-duplicate questions found by this MinHash (default: none). Questions are short: character
         * shingles ({@code Shingling.characters(5)}) find reworded copies that word shingles miss.
         */
        public Builder nearDuplicates(MinHash minHash) {
            once(this.nearDuplicates, "nearDuplicates");
            this.nearDuplicates = Objects.requireNonNull(minHash, "minHash");
            return this;
        }

        /** Sets aside questions overlapping a benchmark (default: none). */
        public Builder decontaminate(Decontaminator decontaminator) {
            once(this.decontaminator, "decontaminate");
            this.decontaminator = Objects.requireNonNull(decontaminator, "decontaminator");
            return this;
        }

        /** How preference pairs are made (default shortest right against longest wrong; NoPairs for none). */
        public Builder pairing(PairingPolicy pairing) {
            once(this.pairing, "pairing");
            this.pairing = Objects.requireNonNull(pairing, "pairing");
            return this;
        }

        /** The seed of the teacher's sampling (default 0); problem {@code id} samples with {@code MixSelector.rank(seed, id)}. */
        public Builder seed(long seed) {
            once(this.seed, "seed");
            this.seed = seed;
            return this;
        }

        /**
         * Problems processed at once (default: the available processors, or the OpenAI sampler's concurrency when
         * larger), in [1, 1024].
         */
        public Builder parallelism(int threads) {
            once(this.parallelism, "parallelism");
            this.parallelism = threads;
            return this;
        }

        /** What to do with malformed problem lines (default {@link MalformedLinePolicy#FAIL}). */
        public Builder malformedLines(MalformedLinePolicy policy) {
            once(this.malformedLines, "malformedLines");
            this.malformedLines = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** What to do when the teacher fails a problem (default {@link SamplerFailure#STOP}). */
        public Builder samplerFailure(SamplerFailure failure) {
            once(this.samplerFailure, "samplerFailure");
            this.samplerFailure = Objects.requireNonNull(failure, "failure");
            return this;
        }

        /** Whether dropped traces are written to {@code rejected.jsonl} with their reasons (default false). */
        public Builder keepRejected(boolean keep) {
            once(this.keepRejected, "keepRejected");
            this.keepRejected = keep;
            return this;
        }

        /** Where progress goes (default: the {@code redstar.progress} system property, else a bar on a terminal). */
        public Builder progress(Progress.Mode mode) {
            once(this.progress, "progress");
            this.progress = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid or twice-set setting */
        public LongCotDataset build() {
            List<String> all = new ArrayList<>(problemsFound);
            if (!Files.isRegularFile(problems)) {
                all.add("problems file " + problems + " does not exist or is not a file");
            }
            if (samplesPerProblem != null && (samplesPerProblem < 1 || samplesPerProblem > 1024)) {
                all.add("samplesPerProblem must be in [1, 1024], was " + samplesPerProblem);
            }
            if (parallelism != null && (parallelism < 1 || parallelism > 1024)) {
                all.add("parallelism must be in [1, 1024], was " + parallelism);
            }
            if (scorer == null && selection != null && !(selection instanceof Selection.All)) {
                all.add("selection " + selection + " needs a difficulty scorer; set difficulty(...)");
            }
            if (selection instanceof Selection.TargetMix t && scorer != null) {
                for (int bucket : t.shares().keySet()) {
                    if (bucket >= scorer.buckets()) {
                        all.add("target mix names bucket " + bucket + " but the scorer has " + scorer.buckets()
                                + " buckets (0 to " + (scorer.buckets() - 1) + ")");
                    }
                }
            }
            if (filters != null) {
                java.util.Set<String> names = new java.util.HashSet<>();
                for (TraceFilter f : filters) {
                    if (f instanceof VerifiedFilter) {
                        all.add("filters list VerifiedFilter; verification is always the last stage, remove it");
                    } else if (!names.add(f.name())) {
                        all.add("two filters are named '" + f.name() + "'");
                    }
                }
            }
            if (!all.isEmpty()) {
                throw new IllegalArgumentException("invalid LongCotDataset settings: " + String.join("; ", all));
            }
            return new LongCotDataset(this);
        }
    }
}
