package ai.redstar.train.lora;

import java.util.Locale;
import java.util.Optional;

/**
 * A linear projection of every decoder layer that LoRA can adapt, in the order transformers registers the modules of
 * a Qwen2/Llama layer. Each has the module name PEFT writes in {@code target_modules} ({@code q_proj}, ...).
 */
public enum LoraTarget {
    /** The attention query projection {@code self_attn.q_proj}. */
    Q("self_attn", "q_proj"),
    /** The attention key projection {@code self_attn.k_proj}. */
    K("self_attn", "k_proj"),
    /** The attention value projection {@code self_attn.v_proj}. */
    V("self_attn", "v_proj"),
    /** The attention output projection {@code self_attn.o_proj}. */
    O("self_attn", "o_proj"),
    /** The MLP gate projection {@code mlp.gate_proj}. */
    GATE("mlp", "gate_proj"),
    /** The MLP up projection {@code mlp.up_proj}. */
    UP("mlp", "up_proj"),
    /** The MLP down projection {@code mlp.down_proj}. */
    DOWN("mlp", "down_proj");

    private final String block;
    private final String moduleName;

    LoraTarget(String block, String moduleName) {
        this.block = block;
        this.moduleName = moduleName;
    }

    /** The module name as PEFT's {@code target_modules} lists it, e.g. {@code q_proj}. */
    public String moduleName() {
        return moduleName;
    }

    /** The module path inside decoder layer {@code layer}, e.g. {@code model.layers.3.self_attn.q_proj}. */
    String modulePath(int layer) {
        return "model.layers." + layer + "." + block + "." + moduleName;
    }

    /** The target whose module name is {@code name} ({@code q_proj}, ...), if any. */
    public static Optional<LoraTarget> fromModuleName(String name) {
        for (LoraTarget t : values()) {
            if (t.moduleName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The module names, for error messages. */
    static String moduleNames() {
        StringBuilder b = new StringBuilder();
        for (LoraTarget t : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(t.moduleName);
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
