package io.tpostream.trainer.eval;

import io.tpostream.trainer.image.RgbImage;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Draws a scene: filled shapes in saturated colours on a dark grey background, then a little seeded pixel
 * noise. Anti-aliasing is off so every shape pixel has exactly its colour (before noise), which keeps colours
 * unambiguous at 32×32 where a shape is only 11 px wide.
 */
public final class SceneRenderer {

    public static final int BACKGROUND_RGB = 0x282828;
    /** Each channel of each pixel moves by a uniform integer in [-NOISE, +NOISE]. */
    public static final int NOISE = 6;
    /** A shape's box side as a fraction of its slot's side (16 px slot → 11 px shape). */
    static final double SHAPE_FRACTION = 0.7;

    private SceneRenderer() {
    }

    public static RgbImage render(Scene scene) {
        int size = scene.imageSize();
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setColor(new Color(BACKGROUND_RGB));
            g.fillRect(0, 0, size, size);
            for (SceneObject o : scene.objects()) {
                Box box = box(o, size);
                g.setColor(new Color(o.kind().colour().rgb()));
                draw(g, o.kind().shape(), box);
            }
        } finally {
            g.dispose();
        }
        addNoise(img, scene.noiseSeed());
        return RgbImage.fromBufferedImage(img);
    }

    /** Where the shape of an object lies: its slot's square, shrunk, then moved by the jitter inside the margin. */
    static Box box(SceneObject o, int imageSize) {
        int slotSize = imageSize / 2;
        int side = (int) Math.round(slotSize * SHAPE_FRACTION);
        // keep at least one background pixel between the shape and its slot's edge, so neighbours never touch
        int free = Math.max(0, slotSize - side - 2);
        int x = o.slot().column() * slotSize + 1 + (int) Math.floor(o.jitterX() * (free + 1));
        int y = o.slot().row() * slotSize + 1 + (int) Math.floor(o.jitterY() * (free + 1));
        return new Box(x, y, side);
    }

    record Box(int x, int y, int side) {
    }

    private static void draw(Graphics2D g, Shape shape, Box b) {
        int x = b.x();
        int y = b.y();
        int s = b.side();
        switch (shape) {
            case CIRCLE -> fillDisc(g, b);
            case SQUARE -> g.fillRect(x, y, s, s);
            case TRIANGLE -> g.fillPolygon(new int[]{x + s / 2, x + s, x}, new int[]{y, y + s, y + s}, 3);
            case CROSS -> {
                int bar = Math.max(3, s / 3);
                int offset = (s - bar) / 2;
                g.fillRect(x, y + offset, s, bar);
                g.fillRect(x + offset, y, bar, s);
            }
        }
    }

    /**
     * Fills the pixels whose centres lie in the disc inscribed in the box, row by row: Graphics2D's fillOval
     * leaves a one-pixel nub on the left edge at some sizes when anti-aliasing is off.
     */
    private static void fillDisc(Graphics2D g, Box b) {
        double r = b.side() / 2.0;
        double cx = b.x() + r;
        for (int row = 0; row < b.side(); row++) {
            double dy = row + 0.5 - r;
            double half = Math.sqrt(Math.max(0, r * r - dy * dy));
            int first = (int) Math.ceil(cx - half - 0.5);
            int last = (int) Math.floor(cx + half - 0.5);
            if (last >= first) {
                g.fillRect(first, b.y() + row, last - first + 1, 1);
            }
        }
    }

    private static void addNoise(BufferedImage img, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = clamp(((rgb >> 16) & 0xFF) + rng.nextInt(-NOISE, NOISE + 1));
                int gr = clamp(((rgb >> 8) & 0xFF) + rng.nextInt(-NOISE, NOISE + 1));
                int bl = clamp((rgb & 0xFF) + rng.nextInt(-NOISE, NOISE + 1));
                img.setRGB(x, y, (r << 16) | (gr << 8) | bl);
            }
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
