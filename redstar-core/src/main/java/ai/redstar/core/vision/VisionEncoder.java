package ai.redstar.core.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CLIP or SigLIP vision transformer over parameter arrays it does not own (its {@link VisionLm} does), with the
 * semantics of transformers' {@code CLIPVisionModel} / {@code SiglipVisionModel}: patch embedding (a convolution with
 * kernel = stride = patch, computed exactly as unfold + matmul), CLIP's class embedding, position embeddings, CLIP's
 * {@code pre_layrnorm}, pre-norm encoder layers (LayerNorm, bidirectional multi-head attention, residual, LayerNorm,
 * MLP {@code fc2(act(fc1(x)))}, residual). {@code post_layernorm} (and SigLIP's pooling head) is not applied: LLaVA
 * reads the hidden states, which transformers records before it.
 *
 * <p>Thread-safe for concurrent forward passes (it only reads the arrays).
 */
final class VisionEncoder {
    /** Prefix of the encoder's tensors in the classic llava-hf layout. */
    static final String PREFIX = "vision_tower.vision_model.";

    private final VisionEncoderConfig config;
    private final NDArray classEmbedding;
    private final NDArray patchWeight;
    private final NDArray patchBias;
    private final NDArray positionEmbedding;
    private final NDArray preNormWeight;
    private final NDArray preNormBias;
    private final Layer[] layers;

    VisionEncoder(VisionEncoderConfig config, Map<String, NDArray> p) {
        this.config = config;
        String e = PREFIX + "embeddings.";
        boolean clip = config.type() == VisionEncoderType.CLIP;
        this.classEmbedding = clip ? p.get(e + "class_embedding") : null;
        long d = config.hiddenSize();
        NDArray w = p.get(e + "patch_embedding.weight");
        this.patchWeight = w;
        this.patchBias = clip ? null : p.get(e + "patch_embedding.bias");
        this.positionEmbedding = p.get(e + "position_embedding.weight");
        this.preNormWeight = clip ? p.get(PREFIX + "pre_layrnorm.weight") : null;
        this.preNormBias = clip ? p.get(PREFIX + "pre_layrnorm.bias") : null;
        this.layers = new Layer[config.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            String l = PREFIX + "encoder.layers." + i + ".";
            layers[i] = new Layer(p.get(l + "layer_norm1.weight"), p.get(l + "layer_norm1.bias"),
                    p.get(l + "self_attn.q_proj.weight"), p.get(l + "self_attn.q_proj.bias"),
                    p.get(l + "self_attn.k_proj.weight"), p.get(l + "self_attn.k_proj.bias"),
                    p.get(l + "self_attn.v_proj.weight"), p.get(l + "self_attn.v_proj.bias"),
                    p.get(l + "self_attn.out_proj.weight"), p.get(l + "self_attn.out_proj.bias"),
                    p.get(l + "layer_norm2.weight"), p.get(l + "layer_norm2.bias"),
                    p.get(l + "mlp.fc1.weight"), p.get(l + "mlp.fc1.bias"),
                    p.get(l + "mlp.fc2.weight"), p.get(l + "mlp.fc2.bias"));
        }
        assert d > 0;
    }

    /**
     * Names and shapes of the encoder's parameters in the classic layout, in transformers' registration order
     * (embeddings, CLIP's pre_layrnorm, per layer self_attn k/v/q/out, layer_norm1, mlp fc1/fc2, layer_norm2,
     * post_layernorm).
     */
    static Map<String, Shape> parameterShapes(VisionEncoderConfig c) {
        long d = c.hiddenSize();
        long m = c.intermediateSize();
        long p = c.patchSize();
        boolean clip = c.type() == VisionEncoderType.CLIP;
        Map<String, Shape> s = new LinkedHashMap<>();
        String e = PREFIX + "embeddings.";
        if (clip) {
            s.put(e + "class_embedding", new Shape(d));
        }
        s.put(e + "patch_embedding.weight", new Shape(d, c.numChannels(), p, p));
        if (!clip) {
            s.put(e + "patch_embedding.bias", new Shape(d));
        }
        s.put(e + "position_embedding.weight", new Shape(c.numPositions(), d));
        if (clip) {
            s.put(PREFIX + "pre_layrnorm.weight", new Shape(d));
            s.put(PREFIX + "pre_layrnorm.bias", new Shape(d));
        }
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String l = PREFIX + "encoder.layers." + i + ".";
            for (String proj : new String[] {"k_proj", "v_proj", "q_proj", "out_proj"}) {
                s.put(l + "self_attn." + proj + ".weight", new Shape(d, d));
                s.put(l + "self_attn." + proj + ".bias", new Shape(d));
            }
            s.put(l + "layer_norm1.weight", new Shape(d));
            s.put(l + "layer_norm1.bias", new Shape(d));
            s.put(l + "mlp.fc1.weight", new Shape(m, d));
            s.put(l + "mlp.fc1.bias", new Shape(m));
            s.put(l + "mlp.fc2.weight", new Shape(d, m));
            s.put(l + "mlp.fc2.bias", new Shape(d));
            s.put(l + "layer_norm2.weight", new Shape(d));
            s.put(l + "layer_norm2.bias", new Shape(d));
        }
        s.put(PREFIX + "post_layernorm.weight", new Shape(d));
        s.put(PREFIX + "post_layernorm.bias", new Shape(d));
        return s;
    }

    /**
     * The hidden states transformers' {@code output_hidden_states} returns: index 0 the embeddings as the first layer
     * sees them (after CLIP's pre_layrnorm), index {@code i} the output of layer {@code i}; only up to
     * {@code upTo} (inclusive) are computed. Temporaries belong to the caller's scope.
     *
     * @param pixels {@code [n, channels, imageSize, imageSize]} float32
     * @return {@code upTo + 1} arrays {@code [n, positions, hidden]}
     */
    List<NDArray> hiddenStates(NDArray pixels, int upTo) {
        long n = pixels.getShape().get(0);
        int g = config.patchesPerSide();
        int p = config.patchSize();
        long c = config.numChannels();
        long d = config.hiddenSize();
        NDArray x = pixels;
        if ((long) g * p != pixels.getShape().get(2) || (long) g * p != pixels.getShape().get(3)) {
            x = x.get(":, :, :" + (g * p) + ", :" + (g * p)); // the convolution ignores a remainder of pixels
        }
        // conv(kernel = stride = p) == per-patch dot products: [n, c, g, p, g, p] -> [n, g, g, c, p, p]
        NDArray patches = x.reshape(n, c, g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(n * g * g, c * p * p);
        NDArray embedded = Linear.linear(patches, patchWeight.reshape(d, c * p * p), patchBias).singletonOrThrow()
                .reshape(n, (long) g * g, d);
        if (classEmbedding != null) {
            NDArray cls = classEmbedding.reshape(1, 1, d).broadcast(n, 1, d);
            embedded = cls.concat(embedded, 1);
        }
        embedded = embedded.add(positionEmbedding);
        if (preNormWeight != null) {
            embedded = layerNorm(embedded, preNormWeight, preNormBias);
        }
        List<NDArray> states = new ArrayList<>();
        states.add(embedded);
        NDArray h = embedded;
        for (int i = 0; i < upTo; i++) {
            h = layer(layers[i], h);
            states.add(h);
        }
        return states;
    }

    private NDArray layer(Layer l, NDArray x) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long s = shape.get(1);
        int heads = config.numAttentionHeads();
        long hd = config.headDim();
        NDArray h = layerNorm(x, l.norm1Weight, l.norm1Bias);
        NDArray q = linear(h, l.qWeight, l.qBias).reshape(n, s, heads, hd).transpose(0, 2, 1, 3);
        NDArray k = linear(h, l.kWeight, l.kBias).reshape(n, s, heads, hd).transpose(0, 2, 1, 3);
        NDArray v = linear(h, l.vWeight, l.vBias).reshape(n, s, heads, hd).transpose(0, 2, 1, 3);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2))
                .mul(VisionActivation.scalar(q, (float) (1.0 / Math.sqrt(hd))));
        NDArray attended = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(n, s, heads * hd);
        x = x.add(linear(attended, l.outWeight, l.outBias));
        h = layerNorm(x, l.norm2Weight, l.norm2Bias);
        NDArray mlp = linear(config.hiddenAct().apply(linear(h, l.fc1Weight, l.fc1Bias)), l.fc2Weight, l.fc2Bias);
        return x.add(mlp);
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        NDList out = x.getNDArrayInternal().layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)), weight, bias,
                (float) config.layerNormEps());
        return out.singletonOrThrow();
    }

    /** {@code x·Wᵀ + b} for {@code x} {@code [batch, seq, in]}. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        Shape shape = x.getShape();
        long rows = shape.get(0) * shape.get(1);
        return Linear.linear(x.reshape(rows, shape.get(2)), weight, bias).singletonOrThrow()
                .reshape(shape.get(0), shape.get(1), weight.getShape().get(0));
    }

    private record Layer(NDArray norm1Weight, NDArray norm1Bias, NDArray qWeight, NDArray qBias, NDArray kWeight,
            NDArray kBias, NDArray vWeight, NDArray vBias, NDArray outWeight, NDArray outBias, NDArray norm2Weight,
            NDArray norm2Bias, NDArray fc1Weight, NDArray fc1Bias, NDArray fc2Weight, NDArray fc2Bias) {}
}
