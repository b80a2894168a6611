package io.tpostream.trainer.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The POPE questions for one scene: for each split, a "yes" question per present kind (slot order) and as many
 * "no" questions about absent kinds, chosen per split:
 * <ul>
 *   <li>random: uniformly among the absent kinds, without replacement;</li>
 *   <li>popular: the absent kinds that are most frequent in the training distribution;</li>
 *   <li>adversarial: the absent co-occurrence partners of present objects (slot order), topped up with popular
 *       ones when there are fewer of them than present objects.</li>
 * </ul>
 */
public final class PopeProbes {

    private PopeProbes() {
    }

    /**
     * @param popularity every kind, most frequent in the training distribution first
     * @param rng        used by the random split only
     */
    public static List<PopeProbe> forScene(Scene scene, String image, List<ObjectKind> popularity,
                                           RandomGenerator rng) {
        List<PopeProbe> probes = new ArrayList<>();
        for (PopeSplit split : PopeSplit.values()) {
            for (ObjectKind k : scene.kinds()) {
                probes.add(PopeProbe.of(image, k, true, split));
            }
            for (ObjectKind k : negatives(scene, split, popularity, rng)) {
                probes.add(PopeProbe.of(image, k, false, split));
            }
        }
        return probes;
    }

    static List<ObjectKind> negatives(Scene scene, PopeSplit split, List<ObjectKind> popularity,
                                      RandomGenerator rng) {
        int wanted = scene.objects().size();
        return switch (split) {
            case RANDOM -> randomAbsent(scene, wanted, rng);
            case POPULAR -> topUpFromPopular(scene, new ArrayList<>(), wanted, popularity);
            case ADVERSARIAL -> topUpFromPopular(scene, absentPartners(scene), wanted, popularity);
        };
    }

    private static List<ObjectKind> randomAbsent(Scene scene, int wanted, RandomGenerator rng) {
        List<ObjectKind> absent = new ArrayList<>(scene.absentKinds());
        // partial Fisher-Yates: the first `wanted` entries become a uniform sample without replacement
        for (int i = 0; i < wanted; i++) {
            int j = i + rng.nextInt(absent.size() - i);
            ObjectKind t = absent.get(i);
            absent.set(i, absent.get(j));
            absent.set(j, t);
        }
        return List.copyOf(absent.subList(0, wanted));
    }

    private static List<ObjectKind> absentPartners(Scene scene) {
        List<ObjectKind> partners = new ArrayList<>();
        for (ObjectKind k : scene.kinds()) {
            Optional<ObjectKind> p = CooccurrenceBias.partnerOf(k);
            if (p.isPresent() && !scene.contains(p.get()) && !partners.contains(p.get())) {
                partners.add(p.get());
            }
        }
        return partners;
    }

    private static List<ObjectKind> topUpFromPopular(Scene scene, List<ObjectKind> chosen, int wanted,
                                                     List<ObjectKind> popularity) {
        for (ObjectKind k : popularity) {
            if (chosen.size() >= wanted) {
                break;
            }
            if (!scene.contains(k) && !chosen.contains(k)) {
                chosen.add(k);
            }
        }
        return List.copyOf(chosen);
    }
}
