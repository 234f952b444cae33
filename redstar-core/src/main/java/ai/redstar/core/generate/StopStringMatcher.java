package ai.redstar.core.generate;

import java.util.Arrays;
import java.util.List;

/**
 * Finds stop strings in a growing completion without decoding all of it at every step.
 *
 * <p>Each step decodes only a tail window of the completion, long enough to hold the longest stop string even when
 * every byte is its own token (byte-level BPE: at most four tokens per character) plus slack for a window that
 * starts inside a character. A hit in the window is confirmed on the whole decoded completion, which also gives the
 * exact cut position; a hit the whole text does not confirm (an artefact of decoding a slice) is ignored.
 *
 * <p>Immutable; thread-safe when its {@link TokenDecoder} is.
 */
final class StopStringMatcher {
    /** A confirmed match: which stop string, and the decoded completion cut before it. */
    record Match(String stopString, String textBefore) {}

    private final List<String> stopStrings;
    private final TokenDecoder decoder;
    private final int window;

    StopStringMatcher(List<String> stopStrings, TokenDecoder decoder) {
        this.stopStrings = List.copyOf(stopStrings);
        this.decoder = decoder;
        int longest = 0;
        for (String s : stopStrings) {
            longest = Math.max(longest, s.length());
        }
        this.window = 4 * longest + 4;
    }

    /** The earliest stop string in the completion {@code ids[0, length)}, or {@code null} if none has appeared. */
    Match find(int[] ids, int length) {
        int from = Math.max(0, length - window);
        String tail = decoder.decode(Arrays.copyOfRange(ids, from, length));
        boolean inTail = false;
        for (String s : stopStrings) {
            if (tail.contains(s)) {
                inTail = true;
                break;
            }
        }
        if (!inTail) {
            return null;
        }
        String text = from == 0 ? tail : decoder.decode(Arrays.copyOf(ids, length));
        return earliest(text);
    }

    /** The stop string occurring first in {@code text} (the longer one on a tie), or {@code null}. */
    Match earliest(String text) {
        int best = -1;
        String bestStop = null;
        for (String s : stopStrings) {
            int at = text.indexOf(s);
            if (at >= 0 && (best < 0 || at < best || at == best && s.length() > bestStop.length())) {
                best = at;
                bestStop = s;
            }
        }
        return bestStop == null ? null : new Match(bestStop, text.substring(0, best));
    }
}
