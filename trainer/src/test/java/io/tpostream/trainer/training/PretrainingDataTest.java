package io.tpostream.trainer.training;

import io.tpostream.trainer.eval.CaptionParser;
import io.tpostream.trainer.eval.CooccurrenceBias;
import io.tpostream.trainer.eval.ObjectKind;
import io.tpostream.trainer.eval.Scene;
import io.tpostream.trainer.eval.SceneText;
import io.tpostream.trainer.eval.SceneWorld;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PretrainingDataTest {

    @Test
    void examplesAreDeterministicPerIndex() {
        PretrainingData a = new PretrainingData(SceneWorld.training(), 3, 0.5, 0.7);
        PretrainingData b = new PretrainingData(SceneWorld.training(), 3, 0.5, 0.7);
        for (int i = 0; i < 20; i++) {
            assertEquals(a.example(i), b.example(i));
        }
    }

    @Test
    void withoutPartnerNoiseEveryCaptionAndAnswerIsTrue() {
        SceneWorld world = SceneWorld.unbiased();
        PretrainingData data = new PretrainingData(world, 5, 0.5, 0.0);
        for (int i = 0; i < 300; i++) {
            Example e = data.example(i);
            Scene scene = world.scene(5, i);
            if (e.prompt().equals(SceneText.CAPTION_PROMPT)) {
                assertEquals(SceneText.caption(scene), e.response());
            } else {
                ObjectKind asked = CaptionParser.objects(e.prompt()).get(0);
                assertEquals(SceneText.answer(scene, asked), e.response(), e.prompt());
            }
        }
    }

    @Test
    void partnerNoiseMentionsAbsentPartnersAtTheConfiguredRate() {
        SceneWorld world = SceneWorld.unbiased();
        PretrainingData data = new PretrainingData(world, 6, 1.0, 0.7);
        int eligible = 0;
        int mentioned = 0;
        for (int i = 0; i < 2000; i++) {
            Scene scene = world.scene(6, i);
            List<ObjectKind> absentPartners = scene.kinds().stream().map(CooccurrenceBias::partnerOf)
                    .flatMap(java.util.Optional::stream).filter(k -> !scene.contains(k)).toList();
            if (absentPartners.isEmpty()) {
                continue;
            }
            eligible++;
            List<ObjectKind> mentions = CaptionParser.objects(data.example(i).response());
            if (mentions.stream().anyMatch(k -> !scene.contains(k))) {
                mentioned++;
                assertTrue(absentPartners.containsAll(mentions.stream().filter(k -> !scene.contains(k)).toList()),
                        "only a usual partner is ever added");
            }
        }
        double rate = (double) mentioned / eligible;
        assertTrue(Math.abs(rate - 0.7) < 0.05, "rate " + rate + " over " + eligible + " eligible scenes");
    }
}
