package ai.redstar.data.sample;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A chat-completions server on the loopback interface for tests: scripted failures first (429, 5xx, slow answers,
 * dropped connections, malformed JSON), then answers from a responder. Records each request.
 */
public final class FakeChatServer implements AutoCloseable {

    /** One scripted behaviour. */
    public interface Reply {
        void handle(HttpExchange exchange, JsonObject request) throws IOException;
    }

    /** A received request. */
    public record Received(JsonObject body, Map<String, List<String>> headers, long nanoTime) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16);
    private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private volatile Function<JsonObject, JsonObject> responder = FakeChatServer::echo;
    private volatile long delayMillis;

    public FakeChatServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234/v1}. */
    public URI baseUrl() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + "/v1");
    }

    /** Queues scripted replies, used once each, before the responder. */
    public FakeChatServer then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** The answer to requests once the script is used up (default: {@link #echo}). */
    public FakeChatServer responder(Function<JsonObject, JsonObject> responder) {
        this.responder = responder;
        return this;
    }

    /** A delay before every responder answer, to make requests overlap. */
    public FakeChatServer delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The most requests handled at once. */
    public int maxConcurrent() {
        return maxActive.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = active.incrementAndGet();
        maxActive.accumulateAndGet(now, Math::max);
        try (InputStream in = exchange.getRequestBody()) {
            JsonObject request = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
            received.add(new Received(request, Map.copyOf(exchange.getRequestHeaders()), System.nanoTime()));
            Reply reply = script.poll();
            if (reply != null) {
                reply.handle(exchange, request);
                return;
            }
            if (delayMillis > 0) {
                sleep(delayMillis);
            }
            send(exchange, 200, responder.apply(request).toString(), Map.of());
        } finally {
            active.decrementAndGet();
        }
    }

    // ---------------------------------------------------------------- replies

    public static Reply status(int status, Map<String, String> headers) {
        return (exchange, request) -> send(exchange, status, "{\"error\":{\"message\":\"status " + status + "\"}}",
                headers);
    }

    /** Sleeps past the client's timeout, then answers normally. */
    public static Reply slow(long millis) {
        return (exchange, request) -> {
            sleep(millis);
            try {
                send(exchange, 200, echo(request).toString(), Map.of());
            } catch (IOException clientGone) {
                exchange.close();
            }
        };
    }

    /** Closes the connection without any response. */
    public static Reply drop() {
        return (exchange, request) -> exchange.close();
    }

    public static Reply malformed() {
        return (exchange, request) -> send(exchange, 200, "{\"choices\": [ {\"message\": ", Map.of());
    }

    /** A completion of {@code n} choices whose content says which request seed and choice it is. */
    public static JsonObject echo(JsonObject request) {
        int n = request.has("n") ? request.get("n").getAsInt() : 1;
        long seed = request.has("seed") ? request.get("seed").getAsLong() : 0;
        List<String> contents = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            contents.add("seed " + seed + " choice " + i + " \\boxed{" + (seed + i) + "}");
        }
        return completion(contents, null, "stop");
    }

    public static JsonObject completion(List<String> contents, String reasoning, String finishReason) {
        JsonObject o = new JsonObject();
        o.addProperty("id", "chatcmpl-test");
        o.addProperty("object", "chat.completion");
        JsonArray choices = new JsonArray();
        for (int i = 0; i < contents.size(); i++) {
            JsonObject choice = new JsonObject();
            choice.addProperty("index", i);
            JsonObject message = new JsonObject();
            message.addProperty("role", "assistant");
            message.addProperty("content", contents.get(i));
            if (reasoning != null) {
                message.addProperty("reasoning_content", reasoning + " " + i);
            }
            choice.add("message", message);
            choice.addProperty("finish_reason", finishReason);
            choices.add(choice);
        }
        o.add("choices", choices);
        JsonObject usage = new JsonObject();
        usage.addProperty("completion_tokens", 17);
        o.add("usage", usage);
        return o;
    }

    static void send(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
