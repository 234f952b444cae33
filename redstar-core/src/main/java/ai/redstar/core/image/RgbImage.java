package ai.redstar.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * An 8-bit RGB raster, rows top to bottom, pixels interleaved ({@code [height, width, 3]} unsigned bytes): what
 * {@code numpy.array(pil_image.convert("RGB"))} holds. Package-private working type of {@link ImageProcessor}.
 *
 * <p>Immutable by convention (operations return new images; the array is never exposed mutably outside the
 * package). Thread-safe when not mutated.
 */
final class RgbImage {
    /** Pillow's fixed-point precision for 8-bit resampling coefficients (Resample.c: 32 - 8 - 2). */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    final int width;
    final int height;
    /** {@code [height, width, 3]} unsigned bytes. */
    final byte[] pixels;

    RgbImage(int width, int height, byte[] pixels) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != width * height * 3) {
            throw new IllegalArgumentException("pixel buffer has " + pixels.length + " bytes, expected "
                    + width * height * 3 + " for " + width + "x" + height + " RGB");
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    /**
     * Reads a PNG or JPEG file (any format ImageIO decodes) and converts it to RGB as PIL's {@code convert("RGB")}
     * does: grey replicated to three channels, palette entries looked up, alpha dropped (not composited).
     *
     * @throws ImageReadException naming the file when it is missing, unreadable, not an image, or 16-bit/CMYK
     */
    static RgbImage read(Path file) {
        BufferedImage image;
        try (InputStream in = Files.newInputStream(file)) {
            image = ImageIO.read(in);
        } catch (NoSuchFileException e) {
            throw new ImageReadException(file, "no such file", e);
        } catch (IOException e) {
            throw new ImageReadException(file, "cannot be read or decoded: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new ImageReadException(file, "not an image format ImageIO can decode (expected PNG or JPEG)",
                    null);
        }
        try {
            return of(image);
        } catch (IllegalArgumentException e) {
            throw new ImageReadException(file, e.getMessage(), e);
        }
    }

    /**
     * The RGB pixels of {@code image}, read from its raster without colour management: 8-bit grey, grey+alpha, RGB
     * and RGBA component images and palette images give their stored values exactly (as PIL's
     * {@code convert("RGB")}); packed-integer images (Java2D's {@code TYPE_INT_RGB}/{@code TYPE_INT_ARGB}) give
     * their sRGB values through {@link BufferedImage#getRGB}, alpha dropped.
     *
     * @throws IllegalArgumentException for 16-bit samples or colour spaces other than RGB and grey
     */
    static RgbImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    out[o] = (byte) icm.getRed(row[x]);
                    out[o + 1] = (byte) icm.getGreen(row[x]);
                    out[o + 2] = (byte) icm.getBlue(row[x]);
                }
            }
        } else if (cm instanceof ComponentColorModel) {
            if (raster.getTransferType() != DataBuffer.TYPE_BYTE) {
                throw new IllegalArgumentException("samples are " + cm.getComponentSize(0)
                        + "-bit; only 8-bit images are supported (convert the image to 8 bits per channel)");
            }
            int colourType = cm.getColorSpace().getType();
            int bands = raster.getNumBands();
            boolean grey = colourType == ColorSpace.TYPE_GRAY;
            if (!grey && colourType != ColorSpace.TYPE_RGB) {
                throw new IllegalArgumentException("colour space type " + colourType
                        + " is neither RGB nor grey (CMYK/YCCK JPEGs are not supported; save the image as RGB)");
            }
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int i = x * bands;
                    int o = (y * w + x) * 3;
                    if (grey) {
                        byte v = (byte) row[i];
                        out[o] = v;
                        out[o + 1] = v;
                        out[o + 2] = v;
                    } else {
                        out[o] = (byte) row[i];
                        out[o + 1] = (byte) row[i + 1];
                        out[o + 2] = (byte) row[i + 2];
                    }
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    out[o] = (byte) (row[x] >> 16);
                    out[o + 1] = (byte) (row[x] >> 8);
                    out[o + 2] = (byte) row[x];
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Channel {@code c} (0 red, 1 green, 2 blue) of the pixel at column {@code x}, row {@code y}, 0 to 255. */
    int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    /** A {@code width} x {@code height} image with every pixel set to {@code rgb}. */
    static RgbImage filled(int width, int height, int[] rgb) {
        byte[] p = new byte[width * height * 3];
        for (int i = 0; i < p.length; i += 3) {
            p[i] = (byte) rgb[0];
            p[i + 1] = (byte) rgb[1];
            p[i + 2] = (byte) rgb[2];
        }
        return new RgbImage(width, height, p);
    }

    /**
     * This image resized to {@code newWidth} x {@code newHeight} exactly as Pillow 9.4's {@code Image.resize(size,
     * resample)} does for an RGB image with the default box and no {@code reducing_gap}: NEAREST through the affine
     * scale with accumulated source positions, the other filters through the two-pass (horizontal then vertical)
     * convolution with support scaled by the downscale factor, 22-bit fixed-point coefficients, and rounding and
     * clipping to 8 bits after each pass.
     */
    RgbImage resize(int newWidth, int newHeight, Resample filter) {
        if (newWidth <= 0 || newHeight <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + newWidth + "x" + newHeight);
        }
        if (newWidth == width && newHeight == height) {
            return this; // PIL returns a copy; contents are identical
        }
        if (filter == Resample.NEAREST) {
            return nearest(newWidth, newHeight);
        }
        Coefficients horizontal = Coefficients.of(width, newWidth, filter);
        Coefficients vertical = Coefficients.of(height, newHeight, filter);
        RgbImage image = this;
        if (newWidth != width) {
            // Only the source rows the vertical pass reads are resampled horizontally (the result is the same).
            int first = vertical.bounds[0];
            int last = vertical.bounds[(newHeight - 1) * 2] + vertical.bounds[(newHeight - 1) * 2 + 1];
            image = horizontalPass(first, last, horizontal);
            vertical = vertical.shifted(-first);
        }
        if (newHeight != height) {
            image = image.verticalPass(vertical);
        }
        return image;
    }

    private RgbImage horizontalPass(int firstRow, int lastRow, Coefficients co) {
        int outWidth = co.outSize;
        int rows = lastRow - firstRow;
        byte[] out = new byte[rows * outWidth * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + firstRow) * width * 3;
            for (int xx = 0; xx < outWidth; xx++) {
                int xmin = co.bounds[xx * 2];
                int count = co.bounds[xx * 2 + 1];
                int kBase = xx * co.kernelSize;
                int s0 = half;
                int s1 = half;
                int s2 = half;
                for (int x = 0; x < count; x++) {
                    int k = co.weights[kBase + x];
                    int p = rowBase + (x + xmin) * 3;
                    s0 += (pixels[p] & 0xFF) * k;
                    s1 += (pixels[p + 1] & 0xFF) * k;
                    s2 += (pixels[p + 2] & 0xFF) * k;
                }
                int o = (y * outWidth + xx) * 3;
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return new RgbImage(outWidth, rows, out);
    }

    private RgbImage verticalPass(Coefficients co) {
        int outHeight = co.outSize;
        byte[] out = new byte[outHeight * width * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int yy = 0; yy < outHeight; yy++) {
            int ymin = co.bounds[yy * 2];
            int count = co.bounds[yy * 2 + 1];
            int kBase = yy * co.kernelSize;
            for (int xx = 0; xx < width; xx++) {
                int s0 = half;
                int s1 = half;
                int s2 = half;
                for (int y = 0; y < count; y++) {
                    int k = co.weights[kBase + y];
                    int p = ((y + ymin) * width + xx) * 3;
                    s0 += (pixels[p] & 0xFF) * k;
                    s1 += (pixels[p + 1] & 0xFF) * k;
                    s2 += (pixels[p + 2] & 0xFF) * k;
                }
                int o = (yy * width + xx) * 3;
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return new RgbImage(width, outHeight, out);
    }

    private static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Pillow's ImagingScaleAffine: source position accumulated in double, truncated (Geometry.c COORD). */
    private RgbImage nearest(int newWidth, int newHeight) {
        double ax = (double) width / newWidth;
        double ay = (double) height / newHeight;
        int[] xin = new int[newWidth];
        double xo = ax * 0.5;
        for (int x = 0; x < newWidth; x++) {
            xin[x] = coord(xo);
            xo += ax;
        }
        byte[] out = new byte[newWidth * newHeight * 3];
        double yo = ay * 0.5;
        for (int y = 0; y < newHeight; y++) {
            int yi = coord(yo);
            yo += ay;
            if (yi < 0 || yi >= height) {
                continue; // stays black, as PIL's fill
            }
            for (int x = 0; x < newWidth; x++) {
                int xi = xin[x];
                if (xi < 0 || xi >= width) {
                    continue;
                }
                System.arraycopy(pixels, (yi * width + xi) * 3, out, (y * newWidth + x) * 3, 3);
            }
        }
        return new RgbImage(newWidth, newHeight, out);
    }

    private static int coord(double v) {
        return v < 0.0 ? -1 : (int) v;
    }

    /** The pixels cropped to rows {@code [top, top + h)} and columns {@code [left, left + w)}, all inside. */
    RgbImage crop(int left, int top, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(pixels, ((y + top) * width + left) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** This image drawn onto a {@code w} x {@code h} canvas of colour {@code rgb} with its top-left at (x0, y0). */
    RgbImage placedOn(int w, int h, int x0, int y0, int[] rgb) {
        RgbImage canvas = filled(w, h, rgb);
        for (int y = 0; y < height; y++) {
            System.arraycopy(pixels, y * width * 3, canvas.pixels, ((y + y0) * w + x0) * 3, width * 3);
        }
        return canvas;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage r && r.width == width && r.height == height && Arrays.equals(r.pixels, pixels);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pixels) * 31 + width * 7 + height;
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }

    /** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis. */
    private static final class Coefficients {
        final int outSize;
        final int kernelSize;
        /** Per output pixel: first input index and count. */
        final int[] bounds;
        /** {@code [outSize, kernelSize]} fixed-point weights. */
        final int[] weights;

        private Coefficients(int outSize, int kernelSize, int[] bounds, int[] weights) {
            this.outSize = outSize;
            this.kernelSize = kernelSize;
            this.bounds = bounds;
            this.weights = weights;
        }

        static Coefficients of(int inSize, int outSize, Resample filter) {
            // The box is (0, inSize) given as floats in PIL; the difference is exact for any image size.
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support() * filterScale;
            int kernelSize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[outSize * 2];
            int[] weights = new int[outSize * kernelSize];
            double[] k = new double[kernelSize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ww = 0.0;
                double ss = 1.0 / filterScale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                for (int x = 0; x < xmax; x++) {
                    double w = filter.kernel((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double v = ww != 0.0 ? k[x] / ww : k[x];
                    weights[xx * kernelSize + x] = v < 0
                            ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }
            return new Coefficients(outSize, kernelSize, bounds, weights);
        }

        Coefficients shifted(int delta) {
            int[] b = bounds.clone();
            for (int i = 0; i < outSize; i++) {
                b[i * 2] += delta;
            }
            return new Coefficients(outSize, kernelSize, b, weights);
        }
    }
}
