package ai.redstar.data;

import ai.redstar.core.tokenizer.ChatMessage;
import ai.redstar.data.difficulty.Difficulty;
import ai.redstar.data.filter.Candidate;
import ai.redstar.data.filter.Rejection;
import ai.redstar.data.pairs.PreferencePair;
import ai.redstar.data.problem.Problem;
import ai.redstar.verify.Verdict;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The JSON of the records a run writes: SFT examples, preference pairs, rejected traces. */
final class OutputRecords {
    /** Fields of an SFT record that input fields may not take. */
    static final Set<String> SFT_FIELDS = Set.of("messages", "provenance", Problem.INPUT_FIELDS);
    /** Fields of a preference record that input fields may not take. */
    static final Set<String> PAIR_FIELDS = Set.of("prompt", "chosen", "rejected", "provenance", Problem.INPUT_FIELDS);

    private OutputRecords() {
    }

    /**
     * {@code {"messages": [...prompt, {"role": "assistant", "content": trace}], "provenance": {...}, ...input fields}}
     * (TRL's conversational SFT format).
     */
    static JsonObject sft(Problem problem, List<ChatMessage> prompt, Candidate kept, Optional<Difficulty> difficulty) {
        JsonObject o = new JsonObject();
        JsonArray messages = messages(prompt);
        messages.add(message(ChatMessage.Role.ASSISTANT, kept.text()));
        o.add("messages", messages);
        JsonObject p = problemProvenance(problem, kept.trace().teacher(), difficulty);
        p.addProperty("sample_index", kept.trace().sampleIndex());
        p.addProperty("tokens", kept.tokenCount());
        p.addProperty("finish_reason", kept.trace().sample().rawFinishReason());
        p.add("verdict", verdict(kept.verdict()));
        o.add("provenance", p);
        problem.copyExtraFieldsTo(o, SFT_FIELDS);
        return o;
    }

    /**
     * {@code {"prompt": [...], "chosen": [{"role": "assistant", ...}], "rejected": [...], "provenance": {...}, ...}}
     * (TRL's conversational preference format).
     */
    static JsonObject pair(Problem problem, List<ChatMessage> prompt, PreferencePair pair, String policy,
            Optional<Difficulty> difficulty) {
        JsonObject o = new JsonObject();
        o.add("prompt", messages(prompt));
        JsonArray chosen = new JsonArray();
        chosen.add(message(ChatMessage.Role.ASSISTANT, pair.chosen().text()));
        o.add("chosen", chosen);
        JsonArray rejected = new JsonArray();
        rejected.add(message(ChatMessage.Role.ASSISTANT, pair.rejected().text()));
        o.add("rejected", rejected);
        JsonObject p = problemProvenance(problem, pair.chosen().trace().teacher(), difficulty);
        p.addProperty("pairing", policy);
        p.addProperty("chosen_sample", pair.chosen().trace().sampleIndex());
        p.addProperty("rejected_sample", pair.rejected().trace().sampleIndex());
        p.addProperty("chosen_tokens", pair.chosen().tokenCount());
        p.addProperty("rejected_tokens", pair.rejected().tokenCount());
        p.add("chosen_verdict", verdict(pair.chosen().verdict()));
        p.add("rejected_verdict", verdict(pair.rejected().verdict()));
        o.add("provenance", p);
        problem.copyExtraFieldsTo(o, PAIR_FIELDS);
        return o;
    }

    /** A dropped trace with why: for inspecting what the filters remove. */
    static JsonObject rejected(Problem problem, Candidate c, Rejection why) {
        JsonObject o = new JsonObject();
        o.addProperty("problem_id", problem.id());
        o.addProperty("problem_line", problem.index());
        o.addProperty("sample_index", c.trace().sampleIndex());
        o.addProperty("filter", why.filter());
        o.addProperty("reason", why.reason());
        o.addProperty("detail", why.detail());
        o.add("verdict", verdict(c.verdict()));
        o.addProperty("tokens", c.tokenCount());
        o.addProperty("finish_reason", c.trace().sample().rawFinishReason());
        o.addProperty("text", c.text());
        return o;
    }

    private static JsonObject problemProvenance(Problem problem, String teacher, Optional<Difficulty> difficulty) {
        JsonObject p = new JsonObject();
        p.addProperty("problem_id", problem.id());
        p.addProperty("problem_line", problem.index());
        p.addProperty("source", problem.source());
        problem.level().ifPresent(l -> p.addProperty("level", l));
        p.addProperty("answer", problem.answer());
        p.addProperty("teacher", teacher);
        difficulty.ifPresent(d -> {
            p.addProperty("difficulty", d.value());
            p.addProperty("difficulty_bucket", d.bucket());
        });
        return p;
    }

    static JsonObject verdict(Verdict v) {
        JsonObject o = new JsonObject();
        o.addProperty("status", v.status().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("reason", v.reason().name());
        o.addProperty("answer", v.answer().length() <= 200 ? v.answer() : v.answer().substring(0, 200));
        return o;
    }

    static JsonArray messages(List<ChatMessage> prompt) {
        JsonArray a = new JsonArray();
        for (ChatMessage m : prompt) {
            a.add(message(m.role(), m.content()));
        }
        return a;
    }

    private static JsonObject message(ChatMessage.Role role, String content) {
        JsonObject m = new JsonObject();
        m.addProperty("role", role.wireName());
        m.addProperty("content", content);
        return m;
    }
}
