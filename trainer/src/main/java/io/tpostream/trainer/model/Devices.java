package io.tpostream.trainer.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Locale;

/** Picks where tensors live: the GPU when DJL sees one, unless the user says otherwise. */
public final class Devices {

    private Devices() {
    }

    /**
     * @param spec {@code auto} (GPU 0 when the engine reports one, else CPU), {@code cpu}, {@code gpu} or
     *             {@code gpu:N}
     */
    public static Device resolve(String spec) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "auto" -> Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> requireGpu(0);
            default -> {
                if (s.startsWith("gpu:") || s.startsWith("cuda:")) {
                    yield requireGpu(Integer.parseInt(s.substring(s.indexOf(':') + 1)));
                }
                throw new IllegalArgumentException("unknown device '" + spec + "': use auto, cpu, gpu or gpu:N");
            }
        };
    }

    private static Device requireGpu(int index) {
        int count = Engine.getInstance().getGpuCount();
        if (index >= count) {
            throw new IllegalArgumentException("GPU " + index + " was asked for but the PyTorch engine sees " + count
                    + " GPU(s); on a CUDA machine point PYTORCH_LIBRARY_PATH at a CUDA libtorch and set PYTORCH_FLAVOR"
                    + " (see README, Running on a GPU)");
        }
        return Device.gpu(index);
    }
}
