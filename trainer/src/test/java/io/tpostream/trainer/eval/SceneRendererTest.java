package io.tpostream.trainer.eval;

import io.tpostream.trainer.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shapes stay recognisable at every allowed size: probe points inside the shape's box tell the four shapes apart
 * (the pattern below was worked out from the geometry: a circle leaves its box corners empty, a triangle its top
 * corners and left middle, a cross everything off its two bars).
 */
class SceneRendererTest {

    // probe points as fractions of the shape box: corner, inner diagonal, middle of the left edge, bottom-left, centre
    private static final double[][] PROBES = {{0.1, 0.1}, {0.22, 0.22}, {0.1, 0.5}, {0.1, 0.9}, {0.5, 0.5}};

    private static boolean[] expectedFill(Shape shape) {
        return switch (shape) {
            case CIRCLE -> new boolean[]{false, true, true, false, true};
            case SQUARE -> new boolean[]{true, true, true, true, true};
            case TRIANGLE -> new boolean[]{false, false, false, true, true};
            case CROSS -> new boolean[]{false, false, true, false, true};
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 40, 64})
    void everyShapeHasItsOwnFillPatternAndExactColour(int size) {
        for (Shape shape : Shape.values()) {
            for (Slot slot : Slot.values()) {
                for (double jitter : new double[]{0.0, 0.5, 0.99}) {
                    ObjectKind kind = ObjectKind.of(Colour.values()[(shape.ordinal() + slot.ordinal()) % 6], shape);
                    SceneObject object = new SceneObject(kind, slot, jitter, (1 - jitter) * 0.99);
                    RgbImage img = SceneRenderer.render(new Scene(size, List.of(object), 5));
                    SceneRenderer.Box box = SceneRenderer.box(object, size);
                    boolean[] fill = expectedFill(shape);
                    for (int p = 0; p < PROBES.length; p++) {
                        int x = box.x() + (int) (PROBES[p][0] * box.side());
                        int y = box.y() + (int) (PROBES[p][1] * box.side());
                        int want = fill[p] ? kind.colour().rgb() : SceneRenderer.BACKGROUND_RGB;
                        assertNear(want, img, x, y, kind + " at " + slot + ", size " + size + ", probe " + p);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void shapesStayInsideTheirSlotWithABackgroundBorder(int size) {
        int slotSize = size / 2;
        for (Slot slot : Slot.values()) {
            for (double jitter : new double[]{0.0, 0.999}) {
                SceneRenderer.Box b = SceneRenderer.box(new SceneObject(ObjectKind.ALL.get(0), slot, jitter, jitter),
                        size);
                int left = slot.column() * slotSize;
                int top = slot.row() * slotSize;
                assertTrue(b.x() > left && b.x() + b.side() < left + slotSize, slot + " x at jitter " + jitter);
                assertTrue(b.y() > top && b.y() + b.side() < top + slotSize, slot + " y at jitter " + jitter);
            }
        }
    }

    @Test
    void backgroundIsPlainUpToNoiseAndNoiseDependsOnTheSeed() {
        int size = 32;
        SceneObject o = SceneObject.centred(ObjectKind.ALL.get(0), Slot.TOP_LEFT);
        RgbImage a = SceneRenderer.render(new Scene(size, List.of(o), 1));
        RgbImage b = SceneRenderer.render(new Scene(size, List.of(o), 2));
        assertTrue(!a.equals(b), "different noise seeds give different pixels");
        // the bottom-right slot is empty: all of it is background
        for (int y = size / 2; y < size; y++) {
            for (int x = size / 2; x < size; x++) {
                assertNear(SceneRenderer.BACKGROUND_RGB, a, x, y, "background");
            }
        }
    }

    private static void assertNear(int rgb, RgbImage img, int x, int y, String what) {
        for (int c = 0; c < 3; c++) {
            int want = (rgb >> (16 - 8 * c)) & 0xFF;
            int got = img.channel(x, y, c);
            assertTrue(Math.abs(want - got) <= SceneRenderer.NOISE,
                    what + ": pixel (" + x + "," + y + ") channel " + c + " is " + got + ", want " + want);
        }
    }
}
