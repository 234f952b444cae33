package ai.redstar.data.geo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * The figure of one {@link GeoProblem}: what to draw and how (image size, line width, font, anti-aliasing). It is
 * drawn on demand with Java2D into an off-screen image, which works headless ({@code -Djava.awt.headless=true}; no
 * display is ever opened). The same figure always gives the same pixels, so the same seed gives a byte-identical PNG
 * on one machine (text is drawn with the platform's fonts, so another machine with other fonts may differ).
 *
 * <p>Immutable and thread-safe; every call draws a new image.
 */
public final class GeoFigure {
    private final List<Mark> marks;
    private final Style style;

    /** How a figure is drawn: side in pixels, stroke width in pixels, the label font, anti-aliasing. */
    record Style(int size, float lineWidth, Font font, boolean antialias) {
        Style {
            Objects.requireNonNull(font, "font");
        }
    }

    /** A rendered figure with the pixel bounds of its labels' glyphs, for checks. */
    record Rendering(BufferedImage image, List<Rectangle> labelBounds) {}

    GeoFigure(List<Mark> marks, Style style) {
        this.marks = List.copyOf(marks);
        this.style = Objects.requireNonNull(style, "style");
    }

    /** The side of the square image in pixels. */
    public int size() {
        return style.size();
    }

    /** A new RGB image ({@link BufferedImage#TYPE_INT_RGB}, black on white) of {@link #size()} pixels square. */
    public BufferedImage image() {
        return render().image();
    }

    /** The figure as PNG bytes. */
    public byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image(), "png", out)) {
                throw new IllegalStateException("no PNG writer is registered with ImageIO");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a figure as PNG", e);
        }
        return out.toByteArray();
    }

    /** Figures are equal when they draw the same marks in the same style. */
    @Override
    public boolean equals(Object o) {
        return o instanceof GeoFigure other && marks.equals(other.marks) && style.equals(other.style);
    }

    @Override
    public int hashCode() {
        return Objects.hash(marks, style);
    }

    @Override
    public String toString() {
        return "GeoFigure{" + marks.size() + " marks, " + style.size() + "px}";
    }

    List<Mark> marks() {
        return marks;
    }

    Rendering render() {
        int n = style.size();
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        List<Rectangle> bounds = new ArrayList<>();
        try {
            Object aa = style.antialias() ? RenderingHints.VALUE_ANTIALIAS_ON : RenderingHints.VALUE_ANTIALIAS_OFF;
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, aa);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, style.antialias()
                    ? RenderingHints.VALUE_TEXT_ANTIALIAS_ON : RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, n, n);
            float w = style.lineWidth();
            BasicStroke line = new BasicStroke(w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
            BasicStroke thin = new BasicStroke(Math.max(1f, w * 0.7f), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
            List<Mark.Label> labels = new ArrayList<>();
            for (Mark m : marks) {
                g.setColor(Sketch.INK);
                if (m instanceof Mark.Segment s) {
                    g.setStroke(line);
                    g.setColor(s.color());
                    g.draw(new Line2D.Double(s.from().x() * n, s.from().y() * n, s.to().x() * n, s.to().y() * n));
                } else if (m instanceof Mark.Circle c) {
                    g.setStroke(line);
                    double r = c.radius() * n;
                    g.draw(new Ellipse2D.Double(c.centre().x() * n - r, c.centre().y() * n - r, 2 * r, 2 * r));
                } else if (m instanceof Mark.Dot d) {
                    double r = Math.max(d.radius() * n, w * 1.2);
                    g.fill(new Ellipse2D.Double(d.at().x() * n - r, d.at().y() * n - r, 2 * r, 2 * r));
                } else if (m instanceof Mark.Arc a) {
                    g.setStroke(thin);
                    double r = a.radius() * n;
                    g.draw(new Arc2D.Double(a.vertex().x() * n - r, a.vertex().y() * n - r, 2 * r, 2 * r,
                            a.startDegrees(), a.extentDegrees(), Arc2D.OPEN));
                } else if (m instanceof Mark.RightAngle r) {
                    g.setStroke(thin);
                    double s = r.size() * n;
                    Pt v = r.vertex().times(n);
                    Pt u1 = onImage(r.firstDegrees()).times(s);
                    Pt u2 = onImage(r.secondDegrees()).times(s);
                    Path2D.Double p = new Path2D.Double();
                    p.moveTo(v.x() + u1.x(), v.y() + u1.y());
                    p.lineTo(v.x() + u1.x() + u2.x(), v.y() + u1.y() + u2.y());
                    p.lineTo(v.x() + u2.x(), v.y() + u2.y());
                    g.draw(p);
                } else if (m instanceof Mark.Label l) {
                    labels.add(l); // drawn last, over the lines
                }
            }
            g.setFont(style.font());
            FontRenderContext frc = g.getFontRenderContext();
            var metrics = g.getFontMetrics();
            for (Mark.Label l : labels) {
                GlyphVector glyphs = style.font().createGlyphVector(frc, l.text());
                Rectangle ink = glyphs.getPixelBounds(frc, 0, 0);
                double[] c = labelCentre(l, ink.getWidth(), ink.getHeight(), n);
                double x = c[0] - ink.getCenterX();
                double y = c[1] - ink.getCenterY();
                x = Math.max(1 - ink.x, Math.min(n - 1 - ink.x - ink.width, x));
                y = Math.max(1 - ink.y, Math.min(n - 1 - ink.y - ink.height, y));
                int ix = (int) Math.round(x);
                int iy = (int) Math.round(y);
                Rectangle placed = glyphs.getPixelBounds(frc, ix, iy);
                g.setColor(Color.WHITE);
                int pad = Math.max(1, metrics.getDescent() / 3);
                g.fillRect(placed.x - pad, placed.y - pad, placed.width + 2 * pad, placed.height + 2 * pad);
                g.setColor(l.color());
                g.drawGlyphVector(glyphs, ix, iy);
                bounds.add(placed);
            }
        } finally {
            g.dispose();
        }
        return new Rendering(img, List.copyOf(bounds));
    }

    /** Where a label's ink box is centred, in pixels: far enough from its anchor for its size. */
    static double[] labelCentre(Mark.Label l, double width, double height, int n) {
        Pt u = onImage(l.degrees());
        double distance;
        if (l.halfAngle() > 0) {
            // the box centre must be as far from each arm's line as the box reaches towards it, plus a pixel
            double half = Math.min(90, l.halfAngle());
            double clearArms = 0;
            for (double arm : new double[] {l.degrees() - half, l.degrees() + half}) {
                Pt normal = onImage(arm + 90);
                double reach = Math.abs(normal.x()) * width / 2 + Math.abs(normal.y()) * height / 2 + 1.5;
                clearArms = Math.max(clearArms, reach / Math.sin(Math.toRadians(half)));
            }
            double radius = 0.5 * Math.max(width, height);
            distance = Math.min(0.3 * n, Math.max(l.gap() * n + radius, clearArms));
        } else {
            distance = l.gap() * n + Math.abs(u.x()) * width / 2 + Math.abs(u.y()) * height / 2;
        }
        return new double[] {l.anchor().x() * n + u.x() * distance, l.anchor().y() * n + u.y() * distance};
    }

    /** The unit vector at {@code degrees} counterclockwise as seen on the image (y down). */
    private static Pt onImage(double degrees) {
        Pt p = Pt.polar(degrees);
        return new Pt(p.x(), -p.y());
    }
}
