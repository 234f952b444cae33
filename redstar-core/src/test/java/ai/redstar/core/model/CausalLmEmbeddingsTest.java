package ai.redstar.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The input-embeddings seam: {@code forward(ids)} equals {@code forwardFromEmbeddings(embed(ids))}, with a cache too. */
class CausalLmEmbeddingsTest {
    private static final Device CPU = Device.cpu();

    @Test
    void forwardFromEmbeddings_equalsForwardFromIds_withAndWithoutCache() {
        try (CausalLm model = CausalLm.randomInit(TinyModels.llamaWithBiases(), 3, CPU);
                NDManager m = NDManager.newBaseManager(CPU)) {
            NDArray ids = m.create(new long[][] {{0, 5, 6, 7, 9}, {1, 2, 3, 4, 8}});
            NDArray mask = m.create(new long[][] {{0, 1, 1, 1, 1}, {1, 1, 1, 1, 1}});
            NDArray pos = AttentionMasks.positionsFromPaddingMask(mask);
            NDArray embedded = model.embed(ids);
            assertEquals(new Shape(2, 5, 24), embedded.getShape());
            assertArrayEquals(model.forward(ids, pos, mask).toFloatArray(),
                    model.forwardFromEmbeddings(embedded, pos, mask, null).toFloatArray());
            assertArrayEquals(model.hiddenStates(ids, pos, mask, null).toFloatArray(),
                    model.hiddenStatesFromEmbeddings(embedded, pos, mask, null).toFloatArray());
            try (KvCache a = model.newKvCache(2, 8, m); KvCache b = model.newKvCache(2, 8, m)) {
                String head = ":, 0:3";
                String tail = ":, 3:";
                model.forward(ids.get(head), pos.get(head), mask.get(head), a);
                model.forwardFromEmbeddings(embedded.get(head), pos.get(head), mask.get(head), b);
                assertArrayEquals(model.forward(ids.get(tail), pos.get(tail), mask.get(tail), a).toFloatArray(),
                        model.forwardFromEmbeddings(embedded.get(tail), pos.get(tail), mask.get(tail), b)
                                .toFloatArray());
            }
            assertThrows(IllegalArgumentException.class,
                    () -> model.forwardFromEmbeddings(embedded.get(":, :, 0:8"), pos, mask, null));
        }
    }
}
