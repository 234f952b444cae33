package ai.redstar.core.vision;

import java.util.Locale;

/** The vision encoder families a LLaVA model may use ({@code vision_config.model_type}). */
public enum VisionEncoderType {
    /**
     * {@code clip_vision_model}: a class (CLS) embedding before the patches, patch convolution without bias, a
     * LayerNorm before the encoder ({@code pre_layrnorm}).
     */
    CLIP("clip_vision_model", true),
    /** {@code siglip_vision_model}: patches only (no CLS), patch convolution with bias, no LayerNorm before the encoder. */
    SIGLIP("siglip_vision_model", false);

    private final String hfName;
    private final boolean classToken;

    VisionEncoderType(String hfName, boolean classToken) {
        this.hfName = hfName;
        this.classToken = classToken;
    }

    /** The {@code model_type} in {@code config.json}. */
    public String hfName() {
        return hfName;
    }

    /** Whether the encoder's sequence starts with a class token (CLIP). */
    public boolean hasClassToken() {
        return classToken;
    }

    /**
     * The type named {@code name}.
     *
     * @throws IllegalArgumentException naming the value and the supported names
     */
    public static VisionEncoderType fromHfName(String name) {
        for (VisionEncoderType t : values()) {
            if (t.hfName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "vision_config.model_type '%s' is not supported; expected clip_vision_model or siglip_vision_model",
                name));
    }
}
