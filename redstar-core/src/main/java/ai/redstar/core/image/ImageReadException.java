package ai.redstar.core.image;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An image file that is missing, unreadable, not a PNG or JPEG, or in a pixel format this package does not convert
 * (16-bit samples, CMYK). The message names the file and the reason; {@link #path()} gives the file.
 */
public final class ImageReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /** An exception about {@code path}; {@code reason} says what is wrong and, where one exists, the fix. */
    public ImageReadException(Path path, String reason, Throwable cause) {
        super("image " + path + ": " + reason, cause);
        this.path = Objects.requireNonNull(path, "path");
    }

    /** The image file the problem is about. */
    public Path path() {
        return path;
    }
}
