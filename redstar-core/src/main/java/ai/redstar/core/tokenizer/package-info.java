/**
 * Tokenization and chat formatting: {@code ChatTokenizer} (a Hugging Face
 * {@code tokenizer.json} through DJL, plus the model's chat template), {@link ai.redstar.core.tokenizer.ChatTemplate}
 * (a Jinja2 subset interpreter that renders Hugging Face chat templates exactly as transformers does),
 * {@link ai.redstar.core.tokenizer.ChatMessage}, {@code EncodedChat} (token ids with the
 * assistant spans that form the SFT loss mask) and {@code TokenizerFiles} (writes small
 * tokenizers for tasks and tests).
 */
package ai.redstar.core.tokenizer;
