package io.tpostream.ops.cli;

import ai.djl.Device;
import io.tpostream.trainer.model.Devices;
import picocli.CommandLine.Option;

/** {@code --device}: where tensors live. Add with {@code @Mixin DeviceOption device;}. */
public final class DeviceOption {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu|gpu:N",
            description = "Where to compute: auto picks the GPU when the PyTorch engine sees one, else the CPU.")
    String device;

    public Device resolve() {
        return Devices.resolve(device);
    }
}
