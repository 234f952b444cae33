// RedStar for Java from JShell: load a model folder, chat-encode a prompt, generate, grade the answer.
// Run from the repository root after `./redstar generate --model runs/tiny --init-tiny --prompt hi`:
//   jshell --class-path "$(ls redstar-examples/target/lib/*.jar | tr '\n' :)" -R-Dai.djl.offline=true \
//          redstar-examples/src/main/jshell/quickstart.jsh
import ai.djl.Device;
import ai.redstar.core.generate.*;
import ai.redstar.core.model.CausalLm;
import ai.redstar.core.tokenizer.*;
import ai.redstar.verify.*;
import java.nio.file.Path;
import java.util.List;

var folder = Path.of(System.getProperty("redstar.model", "runs/tiny"));
var tokenizer = ChatTokenizer.load(folder);
var model = CausalLm.load(folder, Device.cpu());
System.out.println(model.config());

var prompt = tokenizer.encodeChat(List.of(new ChatMessage(ChatMessage.Role.USER, "What is 6*7?")), true);
var params = SamplingParams.builder(32).temperature(0.7).topP(0.95).samplesPerPrompt(2).seed(42).build();
var generator = Generator.builder(model).decoder(ids -> tokenizer.decode(ids, true)).build();
var result = generator.generate(GenerationRequest.of(prompt.ids(), params));
for (var c : result.completions()) System.out.println(c.finishReason() + ": " + c.text().orElse(""));

// The verifier needs no model: it grades any response against a gold answer.
var verifier = RuleVerifier.builder().build();
var verdict = verifier.verify("so the answer is \\boxed{\\frac{84}{2}}", Gold.math("42"));
System.out.println(verdict);

model.close();
tokenizer.close();
/exit
