package ai.redstar.core.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns images into the {@code pixel_values} a vision encoder reads, exactly as transformers' PIL backend of the
 * configured processor does (CLIP, SigLIP, LLaVA).
 *
 * <p>Steps, in transformers' order, on 8-bit values until the rescale:
 * <ol>
 *   <li>decode (PNG or JPEG through ImageIO) and convert to RGB as PIL's {@code convert("RGB")}: grey replicated,
 *       palette looked up, alpha dropped;</li>
 *   <li>{@code do_pad} (LLaVA): pad to a square of the longer side, image centred ({@code (long - short) / 2}
 *       floored before it), background {@code int(mean[c] * 255)};</li>
 *   <li>{@code do_resize}: to {@link ResizeTarget#outputSize}, with Pillow 9.4's {@code Image.resize}, bit for
 *       bit;</li>
 *   <li>{@code do_center_crop}: top {@code (h - ch) / 2} and left {@code (w - cw) / 2} floored; where the crop is
 *       larger than the image, the image is first placed on zeros (offset rounded up), as
 *       {@code image_transforms.center_crop};</li>
 *   <li>{@code do_rescale}: {@code float32(double(v) * rescale_factor)};</li>
 *   <li>{@code do_normalize}: {@code (v - float32(mean[c])) / float32(std[c])} in float32 arithmetic.</li>
 * </ol>
 * Outputs agree with the Python pipeline of {@code image_reference.py} bit for bit on the PNG fixtures (tests allow
 * 1e-6). JPEG decoding by ImageIO and by PIL's libjpeg-turbo may differ; see {@code ImageProcessorReferenceTest}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageProcessor {
    private final PreprocessorConfig config;
    private final float[] mean;
    private final float[] std;

    private ImageProcessor(PreprocessorConfig config) {
        this.config = config;
        double[] m = config.imageMean();
        double[] s = config.imageStd();
        mean = new float[] {(float) m[0], (float) m[1], (float) m[2]};
        std = new float[] {(float) s[0], (float) s[1], (float) s[2]};
    }

    /** A processor applying {@code config}. */
    public static ImageProcessor of(PreprocessorConfig config) {
        return new ImageProcessor(Objects.requireNonNull(config, "config"));
    }

    /** The configuration applied. */
    public PreprocessorConfig config() {
        return config;
    }

    /**
     * Pixel values of one image file, {@code [1, 3, H, W]}.
     *
     * @throws ImageReadException naming the file when it is missing, unreadable or in an unsupported format
     */
    public PixelBatch process(Path file) {
        return processFiles(List.of(file));
    }

    /**
     * Pixel values of one image, {@code [1, 3, H, W]}.
     *
     * @throws IllegalArgumentException when the image has 16-bit samples or a colour space other than RGB/grey
     */
    public PixelBatch process(BufferedImage image) {
        return processImages(List.of(image));
    }

    /**
     * Pixel values of image files, {@code [n, 3, H, W]}, in order.
     *
     * @throws ImageReadException naming the first file that is missing, unreadable or in an unsupported format
     * @throws IllegalArgumentException when the list is empty or the images give different output sizes (possible
     *     only without a centre crop or fixed size), naming the image
     */
    public PixelBatch processFiles(List<Path> files) {
        List<RgbImage> images = new ArrayList<>(files.size());
        for (Path file : files) {
            images.add(RgbImage.read(Objects.requireNonNull(file, "file")));
        }
        return batch(images);
    }

    /**
     * Pixel values of in-memory images (for example drawn with Java2D), {@code [n, 3, H, W]}, in order.
     *
     * @throws IllegalArgumentException when the list is empty, an image has 16-bit samples or a colour space other
     *     than RGB/grey, or the images give different output sizes, naming the image's index
     */
    public PixelBatch processImages(List<BufferedImage> images) {
        List<RgbImage> rgb = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            try {
                rgb.add(RgbImage.of(Objects.requireNonNull(images.get(i), "image")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("image " + i + ": " + e.getMessage(), e);
            }
        }
        return batch(rgb);
    }

    /**
     * Pixel values of image files as a float32 NDArray {@code [n, 3, H, W]} on {@code manager}, which owns it.
     *
     * @throws ImageReadException naming the file when one cannot be read
     */
    public NDArray toNDArray(List<Path> files, NDManager manager) {
        return processFiles(files).toNDArray(manager);
    }

    private PixelBatch batch(List<RgbImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to process; pass at least one");
        }
        int h = 0;
        int w = 0;
        float[] out = null;
        for (int i = 0; i < images.size(); i++) {
            RgbImage image = transform(images.get(i));
            if (i == 0) {
                h = image.height;
                w = image.width;
                out = new float[images.size() * 3 * h * w];
            } else if (image.height != h || image.width != w) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "image %d gives %dx%d pixel values but image 0 gives %dx%d; a batch needs one size (set "
                                + "crop_size with do_center_crop, or a fixed size)", i, image.height, image.width,
                        h, w));
            }
            toChannelsFirst(image, out, i * 3 * h * w);
        }
        return new PixelBatch(out, images.size(), h, w);
    }

    /** Steps 2 to 4 on 8-bit RGB. */
    RgbImage transform(RgbImage image) {
        if (config.doPad() && image.width != image.height) {
            int side = Math.max(image.width, image.height);
            double[] m = config.imageMean();
            int[] background = {(int) (m[0] * 255), (int) (m[1] * 255), (int) (m[2] * 255)};
            image = image.width > image.height
                    ? image.placedOn(side, side, 0, (side - image.height) / 2, background)
                    : image.placedOn(side, side, (side - image.width) / 2, 0, background);
        }
        if (config.doResize()) {
            int[] size = config.size().outputSize(image.height, image.width);
            image = image.resize(size[1], size[0], config.resample());
        }
        if (config.doCenterCrop()) {
            image = centerCrop(image, config.cropHeight(), config.cropWidth());
        }
        return image;
    }

    /** transformers' {@code center_crop}: floor offsets; zero padding (image offset rounded up) where too small. */
    static RgbImage centerCrop(RgbImage image, int cropHeight, int cropWidth) {
        int top = Math.floorDiv(image.height - cropHeight, 2);
        int left = Math.floorDiv(image.width - cropWidth, 2);
        if (top >= 0 && left >= 0) {
            return image.crop(left, top, cropWidth, cropHeight);
        }
        int newHeight = Math.max(cropHeight, image.height);
        int newWidth = Math.max(cropWidth, image.width);
        int topPad = (newHeight - image.height + 1) / 2;
        int leftPad = (newWidth - image.width + 1) / 2;
        RgbImage padded = image.placedOn(newWidth, newHeight, leftPad, topPad, new int[] {0, 0, 0});
        // The crop window, shifted by the padding, always lies inside the padded image.
        return padded.crop(left + leftPad, top + topPad, cropWidth, cropHeight);
    }

    /** Steps 5 and 6, writing {@code [3, h, w]} at {@code offset}. */
    private void toChannelsFirst(RgbImage image, float[] out, int offset) {
        int plane = image.height * image.width;
        double factor = config.rescaleFactor();
        boolean rescale = config.doRescale();
        boolean normalize = config.doNormalize();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                int v = image.pixels[p * 3 + c] & 0xFF;
                float f = rescale ? (float) (v * factor) : (float) v;
                if (normalize) {
                    f = (f - mean[c]) / std[c];
                }
                out[offset + c * plane + p] = f;
            }
        }
    }
}
