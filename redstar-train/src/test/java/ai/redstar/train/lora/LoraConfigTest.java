package ai.redstar.train.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoraConfigTest {
    @Test
    void defaults_followTheLiterature() {
        LoraConfig c = LoraConfig.builder().build();
        assertEquals(8, c.rank());
        assertEquals(16.0, c.alpha());
        assertEquals(2.0, c.scaling());
        assertEquals(0.05, c.dropout());
        assertEquals(EnumSet.of(LoraTarget.Q, LoraTarget.V), c.targets());
        assertEquals(0L, c.seed());
        assertTrue(c.baseModel().isEmpty());
    }

    @Test
    void build_reportsEveryProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder()
                .rank(0).alpha(-1).dropout(1.0).targets(Set.of()).build());
        assertTrue(e.getMessage().contains("rank is 0"), e.getMessage());
        assertTrue(e.getMessage().contains("alpha is -1.0"), e.getMessage());
        assertTrue(e.getMessage().contains("dropout is 1.0"), e.getMessage());
        assertTrue(e.getMessage().contains("targets is empty"), e.getMessage());
    }

    @Test
    void propertySetTwice_throws_butToBuilderMayOverrideOnce() {
        assertThrows(IllegalStateException.class, () -> LoraConfig.builder().rank(4).rank(8));
        LoraConfig c = LoraConfig.builder().rank(4).build().toBuilder().rank(16).build();
        assertEquals(16, c.rank());
    }

    @Test
    void peftJson_hasPeftsFieldsAndValues_sortedAsPeftWritesThem() {
        LoraConfig c = LoraConfig.builder().rank(16).alpha(32).dropout(0.05)
                .targets(LoraTarget.DOWN, LoraTarget.Q, LoraTarget.GATE).baseModel("Qwen/Qwen2.5-0.5B").build();
        String text = PeftAdapterConfig.toJson(c);
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        assertEquals("LORA", o.get("peft_type").getAsString());
        assertEquals("CAUSAL_LM", o.get("task_type").getAsString());
        assertEquals("16", o.get("r").toString());
        assertEquals("32", o.get("lora_alpha").toString(), "an integral alpha is written as PEFT's int");
        assertEquals(0.05, o.get("lora_dropout").getAsDouble());
        JsonArray targets = o.get("target_modules").getAsJsonArray();
        assertEquals("[\"q_proj\",\"gate_proj\",\"down_proj\"]", targets.toString());
        assertEquals("none", o.get("bias").getAsString());
        assertEquals("Qwen/Qwen2.5-0.5B", o.get("base_model_name_or_path").getAsString());
        assertEquals(false, o.get("fan_in_fan_out").getAsBoolean());
        assertEquals(true, o.get("inference_mode").getAsBoolean());
        assertEquals(false, o.get("use_rslora").getAsBoolean());
        assertEquals(false, o.get("use_dora").getAsBoolean());
        assertEquals(true, o.get("init_lora_weights").getAsBoolean());
        assertTrue(o.get("modules_to_save").isJsonNull());
        assertEquals("{}", o.get("rank_pattern").toString());
        assertEquals("0.21.0", o.get("peft_version").getAsString());
        // sorted(LoraConfig(...).to_dict()) of peft 0.21.0 (runtime_config is removed by to_dict)
        assertEquals(List.of(
                "alora_invocation_tokens", "alpha_pattern", "arrow_config", "auto_mapping",
                "base_model_name_or_path", "bias", "corda_config", "ensure_weight_tying", "eva_config",
                "exclude_modules", "fan_in_fan_out", "inference_mode", "init_lora_weights", "kasa_config",
                "layer_replication", "layers_pattern", "layers_to_transform", "loftq_config", "lora_alpha",
                "lora_bias", "lora_dropout", "lora_ga_config", "megatron_config", "megatron_core", "modules_to_save",
                "monteclora_config", "peft_type", "peft_version", "qalora_group_size", "r", "rank_pattern",
                "revision", "target_modules", "target_parameters", "task_type", "trainable_token_indices",
                "use_bdlora", "use_dora", "use_qalora", "use_rslora", "velora_config"), new ArrayList<>(o.keySet()));
        assertTrue(text.startsWith("{\n  \"alora_invocation_tokens\": null,\n"), text);
        assertEquals(c.toBuilder().seed(0).build(), PeftAdapterConfig.fromJson(text));
    }

    @Test
    void peftJson_fractionalAlpha_roundTrips() {
        LoraConfig c = LoraConfig.builder().rank(8).alpha(11.3137).build();
        assertEquals(c, PeftAdapterConfig.fromJson(PeftAdapterConfig.toJson(c)));
    }

    @Test
    void fromJson_allLinear_meansEveryProjection() {
        LoraConfig c = PeftAdapterConfig.fromJson("{\"peft_type\": \"LORA\", \"task_type\": \"CAUSAL_LM\", \"r\": 4,"
                + " \"lora_alpha\": 4, \"target_modules\": \"all-linear\", \"some_future_field\": 1}");
        assertEquals(LoraConfig.ALL_LINEAR, c.targets());
        assertEquals(0.0, c.dropout(), "absent lora_dropout is PEFT's default 0");
    }

    @Test
    void fromJson_unsupportedVariants_listEveryField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeftAdapterConfig.fromJson(
                "{\"peft_type\": \"LORA\", \"task_type\": \"SEQ_CLS\", \"r\": 4.5, \"lora_alpha\": \"8\","
                        + " \"target_modules\": [\"q_proj\", \"lm_head\"], \"use_dora\": true, \"use_rslora\": true,"
                        + " \"bias\": \"all\", \"rank_pattern\": {\"q_proj\": 2}, \"layers_to_transform\": [0],"
                        + " \"init_lora_weights\": \"pissa\"}"));
        for (String field : List.of("task_type", "'r'", "lora_alpha", "lm_head", "use_dora", "use_rslora", "bias",
                "rank_pattern", "layers_to_transform", "init_lora_weights")) {
            assertTrue(e.getMessage().contains(field), field + " in: " + e.getMessage());
        }
        IllegalArgumentException regex = assertThrows(IllegalArgumentException.class, () -> PeftAdapterConfig
                .fromJson("{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": \".*proj\"}"));
        assertTrue(regex.getMessage().contains("regular expressions are not supported"), regex.getMessage());
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> PeftAdapterConfig.fromJson("{\"peft_type\": \"IA3\"}"));
        assertTrue(other.getMessage().contains("expected \"LORA\""), other.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PeftAdapterConfig.fromJson("[1, 2]"));
        assertThrows(IllegalArgumentException.class, () -> PeftAdapterConfig.fromJson("{"));
    }
}
