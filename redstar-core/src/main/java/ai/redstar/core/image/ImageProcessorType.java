package ai.redstar.core.image;

import java.util.Locale;

/**
 * The Hugging Face image processor classes this package reproduces (their PIL backend), named in
 * {@code preprocessor_config.json}'s {@code image_processor_type}. Each brings the defaults of its transformers class
 * for fields the file leaves out.
 */
public enum ImageProcessorType {
    /**
     * {@code CLIPImageProcessor}: shortest edge 224, bicubic, centre crop 224x224, rescale 1/255, OpenAI CLIP mean and
     * std, convert to RGB.
     */
    CLIP("CLIPImageProcessor"),
    /**
     * {@code SiglipImageProcessor}: fixed 224x224, bicubic (the transformers class default; SigLIP checkpoints usually
     * state their filter), no centre crop, rescale 1/255, mean and std 0.5, convert to RGB.
     */
    SIGLIP("SiglipImageProcessor"),
    /**
     * {@code LlavaImageProcessor}: CLIP's defaults plus {@code do_pad} (off by default), which pads each image to a
     * square with the mean colour before resizing.
     */
    LLAVA("LlavaImageProcessor");

    private final String hfName;

    ImageProcessorType(String hfName) {
        this.hfName = hfName;
    }

    /** The class name written to {@code image_processor_type}. */
    public String hfName() {
        return hfName;
    }

    /**
     * The type of an {@code image_processor_type} (or legacy {@code feature_extractor_type}) value. The suffixes
     * {@code Fast} and {@code Pil} of transformers' backend variants name the same processor; {@code CLIPFeatureExtractor}
     * is the legacy name of {@link #CLIP}.
     *
     * @throws IllegalArgumentException naming the value and the supported ones
     */
    public static ImageProcessorType fromHfName(String name) {
        String base = name;
        for (String suffix : new String[] {"Fast", "Pil"}) {
            if (base.endsWith(suffix)) {
                base = base.substring(0, base.length() - suffix.length());
            }
        }
        if (base.equals("CLIPFeatureExtractor")) {
            return CLIP;
        }
        for (ImageProcessorType t : values()) {
            if (t.hfName.equals(base)) {
                return t;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "image processor type '%s' is not supported; use CLIPImageProcessor, SiglipImageProcessor or "
                        + "LlavaImageProcessor", name));
    }
}
