package io.tpostream.trainer.eval;

import io.tpostream.trainer.image.RgbImage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark held in memory: images by name, caption ground truth and POPE probes. The same scenes as
 * {@link BenchmarkWriter} writes for a spec, so a probe set generated on the fly (the promotion gate, experiments)
 * and one read from disk ({@code tpo eval}) measure the same thing.
 */
public record ProbeSet(Map<String, RgbImage> images, List<CaptionTruth> captions, List<PopeProbe> pope) {

    public ProbeSet {
        images = Map.copyOf(images);
        captions = List.copyOf(captions);
        pope = List.copyOf(pope);
    }

    public static ProbeSet generate(BenchmarkSpec spec) {
        SceneWorld world = new SceneWorld(spec.world());
        List<ObjectKind> popularity = spec.trainingWorld().popularity();
        Map<String, RgbImage> images = new LinkedHashMap<>();
        List<CaptionTruth> captions = new ArrayList<>();
        List<PopeProbe> probes = new ArrayList<>();
        for (int i = 0; i < spec.n(); i++) {
            Scene scene = world.scene(spec.seed(), i);
            String name = BenchmarkWriter.imagePath(i);
            images.put(name, world.render(scene));
            captions.add(new CaptionTruth(name, scene.kinds()));
            probes.addAll(PopeProbes.forScene(scene, name, popularity, Seeds.random(spec.seed(), i, Seeds.POPE_RANDOM)));
        }
        return new ProbeSet(images, captions, probes);
    }

    /** A benchmark written by {@link BenchmarkWriter}, with its images loaded. */
    public static ProbeSet load(Benchmark benchmark) throws IOException {
        Map<String, RgbImage> images = new LinkedHashMap<>();
        for (CaptionTruth c : benchmark.captions()) {
            images.putIfAbsent(c.image(), benchmark.image(c.image()));
        }
        for (PopeProbe p : benchmark.pope()) {
            if (!images.containsKey(p.image())) {
                images.put(p.image(), benchmark.image(p.image()));
            }
        }
        return new ProbeSet(images, benchmark.captions(), benchmark.pope());
    }

    public RgbImage image(String name) {
        RgbImage image = images.get(name);
        if (image == null) {
            throw new IllegalArgumentException("probe set has no image '" + name + "'");
        }
        return image;
    }
}
