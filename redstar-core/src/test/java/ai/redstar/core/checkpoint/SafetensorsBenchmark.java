package ai.redstar.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Throughput of {@link Safetensors#write} and {@link SafetensorsFile#read} on one [8192, 8192] float32 tensor
 * (256 MiB), printing one JSON line per figure: {@code {"benchmark": ..., "mb_per_s": ..., "seconds": ...}} where
 * MB are 10^6 bytes of float32 data. Median of 5 runs after one warm-up. Not a test: run its main method with the
 * test classpath, e.g. {@code java -cp ... ai.redstar.core.checkpoint.SafetensorsBenchmark [folder]}.
 */
public final class SafetensorsBenchmark {
    private SafetensorsBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("safetensors-bench");
        int side = 8192;
        double megabytes = (double) side * side * 4 / 1e6;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray array = manager.randomNormal(new Shape(side, side));
            for (TensorDtype storage : new TensorDtype[] {TensorDtype.F32, TensorDtype.BF16, TensorDtype.F16}) {
                Path file = dir.resolve("bench-" + storage + ".safetensors");
                double write = median(() -> Safetensors.write(file, Map.of("w", array), storage, Map.of()));
                print("safetensors_write_f32_as_" + storage, megabytes, write);
                double read = median(() -> {
                    try (SafetensorsFile f = SafetensorsFile.open(file); NDArray r = f.read("w", manager)) {
                        if (r.getShape().size() != (long) side * side) {
                            throw new AssertionError();
                        }
                    }
                });
                print("safetensors_read_" + storage + "_as_f32_ndarray", megabytes, read);
                Files.delete(file);
            }
        }
    }

    private static double median(Runnable run) {
        run.run();
        double[] seconds = new double[5];
        for (int i = 0; i < seconds.length; i++) {
            long start = System.nanoTime();
            run.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        java.util.Arrays.sort(seconds);
        return seconds[seconds.length / 2];
    }

    private static void print(String name, double megabytes, double seconds) {
        System.out.println(String.format(Locale.ROOT, "{\"benchmark\": \"%s\", \"mb_per_s\": %.0f, \"seconds\": %.3f}",
                name, megabytes / seconds, seconds));
    }
}
