package io.tpostream.trainer.tpo;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How TPO corrupts the image that anchors its token scores (method note §1).
 *
 * @param step diffusion step k of the 1000-step sigmoid schedule, 0..999; the paper's default is 500
 *             (250..999 were close, 0 still beat DPO)
 * @param mode how noisy values outside [0, 1] become 8-bit pixels again
 */
public record ImageCorruption(int step, Mode mode) {

    public static final int DEFAULT_STEP = 500;

    /**
     * WRAP is the default because the project reproduces the reference implementation unless told otherwise:
     * the paper's numbers, its step k = 500 and margin a = 0.5, and the reported rise of the mean token score
     * were all measured with wrap-around pixels. Wrapping is the stronger corruption (a saturated channel pushed
     * past 0 or 1 lands at the other end of the range instead of staying saturated), so switching to CLAMP
     * changes how large the scores s come out; it is offered as a one-word ablation, not as a silent fix.
     */
    public static final Mode DEFAULT_MODE = Mode.WRAP;

    public ImageCorruption {
        NoiseSchedule.checked(step);
        Objects.requireNonNull(mode, "mode");
    }

    public static ImageCorruption defaults() {
        return new ImageCorruption(DEFAULT_STEP, DEFAULT_MODE);
    }

    /** Turning a noisy value v_c (nominally in [0, 1]) back into an 8-bit channel value. */
    public enum Mode {
        /**
         * The reference's {@code ((int) (255 * x)) & 0xFF}. Java's {@code (int)} on a float truncates toward zero,
         * as the C cast does, so 255x in (-1, 1) gives 0, -1.5 gives -1 and hence 255, and 256.7 gives 256 and
         * hence 0: values that leave the range wrap around to the far end. (Java maps NaN to 0 and saturates beyond
         * the int range where C is undefined; neither can happen for finite noise on [0, 1] pixels.)
         */
        WRAP("wrap") {
            @Override
            public int toPixel(float unitValue) {
                return ((int) (255f * unitValue)) & 0xFF;
            }
        },
        /** Clamped to [0, 255] and rounded to the nearest level (halves up): the physically plausible image. */
        CLAMP("clamp") {
            @Override
            public int toPixel(float unitValue) {
                return Math.max(0, Math.min(255, Math.round(255f * unitValue)));
            }
        };

        private final String configName;

        Mode(String configName) {
            this.configName = configName;
        }

        /** The 8-bit channel value, 0..255, for a noisy value in units of full scale. */
        public abstract int toPixel(float unitValue);

        public String configName() {
            return configName;
        }

        public static Mode fromName(String name) {
            for (Mode mode : values()) {
                if (mode.configName.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("unknown image corruption mode '" + name + "'; valid modes: "
                    + Arrays.stream(values()).map(Mode::configName).collect(Collectors.joining(", ")));
        }
    }
}
