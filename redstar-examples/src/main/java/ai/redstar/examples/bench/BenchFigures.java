package ai.redstar.examples.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What every model benchmark shares: one JSON line per figure, stamped with the allocator and intra-op threads that
 * ran (DJL-NOTES: the allocator nearly doubles CPU training speed), medians, rounding and the process's memory.
 */
final class BenchFigures {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private BenchFigures() {
    }

    /** A new figure object named {@code name}. */
    static JsonObject figure(String name) {
        JsonObject o = new JsonObject();
        o.addProperty("figure", name);
        return o;
    }

    /** Prints {@code o} as one JSON line on stdout with the threads and allocator of this JVM. */
    static void print(JsonObject o) {
        o.addProperty("intra_op_threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        o.addProperty("allocator", allocator());
        o.addProperty("glibc_tunables", System.getenv().getOrDefault("GLIBC_TUNABLES", ""));
        o.addProperty("ld_preload", System.getenv().getOrDefault("LD_PRELOAD", ""));
        o.addProperty("thp_mem_alloc_enable", System.getenv().getOrDefault("THP_MEM_ALLOC_ENABLE", ""));
        System.out.println(GSON.toJson(o));
        System.out.flush();
    }

    /** Which allocator this JVM runs with, from LD_PRELOAD and GLIBC_TUNABLES. */
    static String allocator() {
        String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
        String tunables = System.getenv().getOrDefault("GLIBC_TUNABLES", "");
        if (preload.contains("tcmalloc")) {
            return "tcmalloc";
        }
        if (preload.contains("jemalloc")) {
            return "jemalloc";
        }
        if (tunables.contains("mmap_max=0")) {
            return "glibc-tuned";
        }
        return "glibc-default";
    }

    /** The median of an ascending array. */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** {@code v} to four significant digits. */
    static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.4g", v));
    }

    /**
     * A kB field of {@code /proc/self/status}, e.g. {@code VmRSS} or {@code VmHWM} (peak RSS); -1 where the file
     * or field is missing.
     */
    static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** RSS after a full collection (G1 then uncommits free heap), so that only retained memory counts. */
    static long settledRssKb() {
        System.gc();
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return statusKb("VmRSS");
    }
}
