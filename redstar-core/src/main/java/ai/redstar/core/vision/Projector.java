package ai.redstar.core.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LLaVA's multimodal projector {@code linear_2(act(linear_1(features)))} over arrays it does not own, as
 * transformers' {@code LlavaMultiModalProjector}. Thread-safe for concurrent forward passes.
 */
final class Projector {
    static final String PREFIX = "multi_modal_projector.";

    private final VisionActivation activation;
    private final NDArray w1;
    private final NDArray b1;
    private final NDArray w2;
    private final NDArray b2;

    Projector(VisionLmConfig config, Map<String, NDArray> p) {
        this.activation = config.projectorHiddenAct();
        this.w1 = p.get(PREFIX + "linear_1.weight");
        this.b1 = p.get(PREFIX + "linear_1.bias");
        this.w2 = p.get(PREFIX + "linear_2.weight");
        this.b2 = p.get(PREFIX + "linear_2.bias");
    }

    static Map<String, Shape> parameterShapes(VisionLmConfig c) {
        long in = c.imageFeatureWidth();
        long out = c.textConfig().hiddenSize();
        Map<String, Shape> s = new LinkedHashMap<>();
        s.put(PREFIX + "linear_1.weight", new Shape(out, in));
        if (c.projectorBias()) {
            s.put(PREFIX + "linear_1.bias", new Shape(out));
        }
        s.put(PREFIX + "linear_2.weight", new Shape(out, out));
        if (c.projectorBias()) {
            s.put(PREFIX + "linear_2.bias", new Shape(out));
        }
        return s;
    }

    /** {@code [n, seq, featureWidth]} to {@code [n, seq, textHidden]}; temporaries belong to the caller's scope. */
    NDArray apply(NDArray features) {
        return VisionEncoder.linear(activation.apply(VisionEncoder.linear(features, w1, b1)), w2, b2);
    }
}
