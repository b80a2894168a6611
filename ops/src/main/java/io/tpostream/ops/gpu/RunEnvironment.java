package io.tpostream.ops.gpu;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;

/**
 * Where a check ran, written with every result: which libtorch DJL loaded (the override under test) and what
 * the engine and CUDA report, so a result file says by itself whether it came from the GPU.
 *
 * @param engineVersion     what DJL reports, i.e. PYTORCH_VERSION when PYTORCH_LIBRARY_PATH overrides the library
 * @param libtorchDir       the folder DJL loaded libtorch from
 * @param cudaBuild         whether the loaded libtorch was built with CUDA
 * @param gpuCount          GPUs the engine sees (through the CUDA runtime)
 * @param cudaRuntime       the CUDA runtime version DJL found, "none" without one
 * @param computeCapability of GPU 0, "none" without a GPU
 * @param nvidiaTf32Override NVIDIA_TF32_OVERRIDE: "0" keeps cuBLAS and cuDNN off tf32 (libtorch's default lets
 *                          cuDNN convolutions use it), "unset" otherwise
 */
public record RunEnvironment(String engine, String engineVersion, String libtorchDir, boolean cudaBuild, int gpuCount,
                             String cudaRuntime, String computeCapability, String device, String precision,
                             String nvidiaTf32Override, String javaVersion, String javaHome, String pytorchThreads) {

    public static RunEnvironment of(Device device) {
        Engine engine = Engine.getInstance();
        int gpus = engine.getGpuCount();
        return new RunEnvironment(engine.getEngineName(), engine.getVersion(), LibUtils.getLibtorchPath(),
                engine.hasCapability(StandardCapabilities.CUDA), gpus,
                CudaUtils.hasCuda() ? CudaUtils.getCudaVersionString() : "none",
                gpus > 0 ? CudaUtils.getComputeCapability(0) : "none", device.toString(),
                // bfloat16 aborts the JVM in DJL 0.36's engine, and training needs float32 anyway
                "float32", System.getenv().getOrDefault("NVIDIA_TF32_OVERRIDE", "unset"), Runtime.version().toString(), System.getProperty("java.home"),
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
    }
}
