package io.tpostream.trainer.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The canonical text forms of the world: words separated by single spaces, punctuation as separate tokens, all
 * lower case, so that tokenizing and decoding give the same string back.
 *
 * <ul>
 *   <li>caption prompt: {@value #CAPTION_PROMPT}</li>
 *   <li>caption: "a red circle ." / "a red circle and a blue square ." / "a red circle , a blue square and a
 *       green cross ."</li>
 *   <li>question: "is there a red circle ?" ("an" before "orange"), answered {@value #YES} or {@value #NO}</li>
 * </ul>
 */
public final class SceneText {

    public static final String CAPTION_PROMPT = "describe the image .";
    public static final String YES = "yes";
    public static final String NO = "no";

    private SceneText() {
    }

    /** The true caption: every object once, in slot order. */
    public static String caption(Scene scene) {
        return caption(scene.kinds());
    }

    /**
     * A caption mentioning exactly these kinds, in this order.
     *
     * @throws IllegalArgumentException if the list is empty (a scene always has an object)
     */
    public static String caption(List<ObjectKind> mentions) {
        if (mentions.isEmpty()) {
            throw new IllegalArgumentException("a caption mentions at least one object");
        }
        StringBuilder sb = new StringBuilder();
        int n = mentions.size();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(i == n - 1 ? " and " : " , ");
            }
            sb.append(withArticle(mentions.get(i)));
        }
        return sb.append(" .").toString();
    }

    public static String question(ObjectKind kind) {
        return "is there " + withArticle(kind) + " ?";
    }

    /** "a red circle", "an orange cross". */
    public static String withArticle(ObjectKind kind) {
        return (startsWithVowel(kind.colour().word()) ? "an " : "a ") + kind.phrase();
    }

    private static boolean startsWithVowel(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0;
    }

    public static String answer(Scene scene, ObjectKind kind) {
        return scene.contains(kind) ? YES : NO;
    }

    /**
     * The true caption plus one object that is not in the scene. Preferably the co-occurrence partner of a present
     * object (the failure a biased model makes), placed right after that object; if no present object has an
     * absent partner, a uniformly random absent kind at a random position.
     */
    public static String hallucinate(Scene scene, RandomGenerator rng) {
        return caption(hallucinatedMentions(scene, rng));
    }

    /** The mentions of {@link #hallucinate}, for writers that phrase them in another form. */
    public static List<ObjectKind> hallucinatedMentions(Scene scene, RandomGenerator rng) {
        List<ObjectKind> mentions = new ArrayList<>(scene.kinds());
        List<Integer> anchors = new ArrayList<>();
        for (int i = 0; i < mentions.size(); i++) {
            Optional<ObjectKind> partner = CooccurrenceBias.partnerOf(mentions.get(i));
            if (partner.isPresent() && !scene.contains(partner.get())) {
                anchors.add(i);
            }
        }
        if (!anchors.isEmpty()) {
            int anchor = anchors.get(rng.nextInt(anchors.size()));
            mentions.add(anchor + 1, CooccurrenceBias.partnerOf(mentions.get(anchor)).orElseThrow());
        } else {
            List<ObjectKind> absent = scene.absentKinds();
            mentions.add(rng.nextInt(mentions.size() + 1), absent.get(rng.nextInt(absent.size())));
        }
        return List.copyOf(mentions);
    }

    /**
     * The true caption with one object's colour changed to a colour that makes a kind absent from the scene, so
     * the changed mention is a hallucination (and the original object goes unmentioned).
     */
    public static String withWrongAttribute(Scene scene, RandomGenerator rng) {
        return caption(wrongAttributeMentions(scene, rng));
    }

    /** The mentions of {@link #withWrongAttribute}, for writers that phrase them in another form. */
    public static List<ObjectKind> wrongAttributeMentions(Scene scene, RandomGenerator rng) {
        List<ObjectKind> mentions = new ArrayList<>(scene.kinds());
        int i = rng.nextInt(mentions.size());
        ObjectKind original = mentions.get(i);
        List<Colour> wrong = new ArrayList<>();
        for (Colour c : Colour.values()) {
            if (!scene.contains(original.withColour(c))) {
                wrong.add(c);
            }
        }
        // at most 3 other objects can block colours, so at least 2 of the 5 other colours are left
        mentions.set(i, original.withColour(wrong.get(rng.nextInt(wrong.size()))));
        return List.copyOf(mentions);
    }

    /**
     * What a user who sees the scene would write instead of {@code caption}: its true mentions kept in their
     * order (each once), hallucinated ones dropped, and objects it missed appended in slot order.
     */
    public static String correct(String caption, Scene scene) {
        Set<ObjectKind> kept = new LinkedHashSet<>();
        for (ObjectKind k : CaptionParser.objects(caption)) {
            if (scene.contains(k)) {
                kept.add(k);
            }
        }
        kept.addAll(scene.kinds());
        return caption(new ArrayList<>(kept));
    }
}
