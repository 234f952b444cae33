package ai.redstar.core.model;

import java.util.Locale;

/** The decoder architectures {@link CausalLm} implements, named as Hugging Face's {@code model_type}. */
public enum ModelType {
    /** Qwen2 / Qwen2.5: q, k and v projections carry a bias, the output projection does not. */
    QWEN2("qwen2"),
    /** Llama 2/3 and Mistral-style decoders without sliding windows: biases only if {@code attention_bias}. */
    LLAMA("llama");

    private final String hfName;

    ModelType(String hfName) {
        this.hfName = hfName;
    }

    /** The {@code model_type} string in {@code config.json}. */
    public String hfName() {
        return hfName;
    }

    /**
     * Parses a {@code model_type} value.
     *
     * @throws IllegalArgumentException naming the value and the supported ones
     */
    public static ModelType fromHfName(String name) {
        for (ModelType t : values()) {
            if (t.hfName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "model_type '%s' is not supported; supported: qwen2, llama", name));
    }
}
