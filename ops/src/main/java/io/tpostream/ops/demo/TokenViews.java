package io.tpostream.ops.demo;

import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.tpo.ImageCorruption;
import io.tpostream.trainer.tpo.ImageCorruptor;
import io.tpostream.trainer.training.TokenScorer;

import java.util.ArrayList;
import java.util.List;

/** Scores pairs token by token with two models, for the report's before/after views. */
final class TokenViews {

    private TokenViews() {
    }

    /** @param pairs each {prompt, chosen, rejected} */
    static List<DemoSummary.TokenView> score(ModelInstance before, ModelInstance after, List<String[]> pairs,
                                             List<RgbImage> images) {
        ImageCorruptor corruptor = new ImageCorruptor(ImageCorruption.defaults());
        List<TokenScorer.Request> requests = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            String[] p = pairs.get(i);
            requests.add(new TokenScorer.Request(images.get(i), p[0], p[1], "view-" + i));
            requests.add(new TokenScorer.Request(images.get(i), p[0], p[2], "view-" + i));
        }
        List<TokenScorer.Scored> b = new TokenScorer(before, corruptor).score(requests);
        List<TokenScorer.Scored> a = new TokenScorer(after, corruptor).score(requests);
        List<DemoSummary.TokenView> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            String[] p = pairs.get(i);
            out.add(new DemoSummary.TokenView(p[0], p[1], p[2], Charts.dataUri(scaledPng(images.get(i))),
                    b.get(2 * i).tokens(), b.get(2 * i).scores(), a.get(2 * i).scores(),
                    b.get(2 * i + 1).tokens(), b.get(2 * i + 1).scores(), a.get(2 * i + 1).scores()));
        }
        return out;
    }

    /** The image enlarged 4x (nearest neighbour) so a person can see a 32 px scene. */
    static byte[] scaledPng(RgbImage image) {
        int f = 4;
        byte[] rgb = new byte[image.width() * f * image.height() * f * 3];
        for (int y = 0; y < image.height() * f; y++) {
            for (int x = 0; x < image.width() * f; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * image.width() * f + x) * 3 + c] = (byte) image.channel(x / f, y / f, c);
                }
            }
        }
        return new RgbImage(image.width() * f, image.height() * f, rgb).encodePng();
    }
}
