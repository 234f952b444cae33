/**
 * JSON Lines files: {@link ai.redstar.core.jsonl.Jsonl} opens a streaming {@link ai.redstar.core.jsonl.JsonlReader}
 * (one {@link ai.redstar.core.jsonl.JsonlRecord} per non-blank line, with its line number) or an appending
 * {@link ai.redstar.core.jsonl.JsonlWriter} (one record per line, handed to the operating system as it is written).
 *
 * <p>Records are Gson {@link com.google.gson.JsonObject}s, so fields this library does not know are carried through
 * unchanged. Problems with the data (a malformed line, a missing or mistyped field) are reported as
 * {@link ai.redstar.core.jsonl.JsonlException}, whose message names the file, the line and the field.
 */
package ai.redstar.core.jsonl;
