package ai.redstar.data.sample;

/**
 * A teacher could not give samples: the server refused the request, kept failing past the retries, or answered
 * with something that is not a chat completion. The message names the endpoint, the HTTP status or error, the
 * number of attempts and an excerpt of the answer.
 */
public final class SamplerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public SamplerException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public SamplerException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    /**
     * Whether trying again later may succeed (rate limits, server errors, timeouts, dropped connections) as opposed
     * to a request the server will always refuse (bad request, unauthorised, unknown model).
     */
    public boolean retryable() {
        return retryable;
    }
}
