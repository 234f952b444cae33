package ai.redstar.core.vision;

import java.util.Locale;

/** Which positions of the selected encoder hidden states become image features ({@code vision_feature_select_strategy}). */
public enum FeatureSelectStrategy {
    /** {@code default}: drop the first position (CLIP's class token; for SigLIP, as transformers does, the first patch). */
    DEFAULT("default"),
    /** {@code full}: keep every position. */
    FULL("full");

    private final String hfName;

    FeatureSelectStrategy(String hfName) {
        this.hfName = hfName;
    }

    public String hfName() {
        return hfName;
    }

    /** @throws IllegalArgumentException naming the value and the supported names */
    public static FeatureSelectStrategy fromHfName(String name) {
        for (FeatureSelectStrategy s : values()) {
            if (s.hfName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "vision_feature_select_strategy '%s' is not supported; expected default or full", name));
    }
}
