package ai.redstar.data;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs tasks on a fixed pool and hands their results, in submission order, to a consumer on the submitting thread.
 * At most {@code window} tasks are submitted and unconsumed at once, so memory stays bounded whatever the input; a
 * slow task holds back the consumption of later ones but not their execution. When a task fails, the tasks after it
 * are cancelled and its exception is rethrown by {@link #submit} or {@link #drain}.
 *
 * <p>Confined to the submitting thread.
 */
final class OrderedPool<T> implements AutoCloseable {
    private final ExecutorService executor;
    private final int window;
    private final Consumer<T> consumer;
    private final Deque<Future<T>> pending = new ArrayDeque<>();

    OrderedPool(int threads, int window, String name, Consumer<T> consumer) {
        this.executor = Executors.newFixedThreadPool(threads, new Named(name));
        this.window = window;
        this.consumer = consumer;
    }

    void submit(Callable<T> task) {
        while (pending.size() >= window) {
            consumeHead();
        }
        pending.add(executor.submit(task));
    }

    /** Waits for and consumes every submitted task. */
    void drain() {
        while (!pending.isEmpty()) {
            consumeHead();
        }
    }

    private void consumeHead() {
        Future<T> head = pending.peek();
        T result;
        try {
            result = head.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelAll();
            throw new IllegalStateException("interrupted while waiting for a task", e);
        } catch (ExecutionException e) {
            cancelAll();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("a task failed: " + cause, cause);
        }
        pending.poll();
        consumer.accept(result);
    }

    private void cancelAll() {
        for (Future<T> f : pending) {
            f.cancel(true);
        }
        pending.clear();
    }

    @Override
    public void close() {
        cancelAll();
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Named implements ThreadFactory {
        private final String name;
        private final AtomicInteger count = new AtomicInteger();

        Named(String name) {
            this.name = name;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
