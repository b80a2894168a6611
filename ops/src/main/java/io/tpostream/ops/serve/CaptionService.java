package io.tpostream.ops.serve;

import io.tpostream.schema.ImageProbe;
import io.tpostream.schema.ModelVersion;
import io.tpostream.schema.Sha256;
import io.tpostream.trainer.image.RgbImage;
import io.tpostream.trainer.model.CaptionGenerator;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.model.TextTokenizer;
import io.tpostream.trainer.serving.ServingModel;
import io.tpostream.trainer.tpo.ImageCorruption;
import io.tpostream.trainer.tpo.ImageCorruptor;
import io.tpostream.trainer.training.TokenScorer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * What the caption service does for one request, apart from HTTP: check the image and the prompt, write a greedy
 * caption with the model in service and, if asked, score each of its tokens (visual-anchored: clean minus corrupted
 * logit, the quantity TPO weights by). The caption, the scores and the version named in the answer all come from
 * one model: a hot swap waits until the request is done ({@link ServingModel#serve}).
 */
public final class CaptionService {

    /** Image formats the service takes: what users' cameras and browsers send. */
    static final Set<String> MEDIA_TYPES = Set.of("image/png", "image/jpeg");

    /**
     * @param maxNewTokens longest caption, in tokens
     * @param maxPixels    largest image accepted (width × height), checked from its header before decoding
     */
    public record Settings(String defaultPrompt, int maxNewTokens, long maxPixels) {
        public Settings {
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("maxNewTokens must be at least 1, not " + maxNewTokens);
            }
            if (maxPixels < 1) {
                throw new IllegalArgumentException("maxPixels must be at least 1, not " + maxPixels);
            }
        }
    }

    /** One response token and its visual-anchored score. */
    public record Token(String text, float score) {
    }

    /** @param tokens the response tokens (end token included) with their scores; null unless asked for */
    public record Caption(String captionId, String caption, String modelName, long modelVersion, String prompt,
                          String imageSha256, List<Token> tokens) {
    }

    /** A request the service refuses, and the HTTP status that says so. */
    public static final class RefusedException extends RuntimeException {
        private final int status;
        private final String code;

        RefusedException(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        /** A stable, machine-readable name of the problem, e.g. {@code unknown_prompt}. */
        public String code() {
            return code;
        }
    }

    private final ServingModel serving;
    private final Settings settings;
    private final RecentCaptions recent;
    private final ImageCorruptor corruptor = new ImageCorruptor(ImageCorruption.defaults());

    CaptionService(ServingModel serving, Settings settings, RecentCaptions recent) {
        this.serving = serving;
        this.settings = settings;
        this.recent = recent;
    }

    /**
     * @param prompt null for the default prompt
     * @throws RefusedException for a body that is no PNG/JPEG image, an image too large, an unknown or too long
     *                          prompt (4xx), or no model in service yet (503)
     */
    public Caption caption(byte[] body, String prompt, boolean scores) {
        if (body.length == 0) {
            throw new RefusedException(400, "empty_body", "the request body must be the image's bytes (PNG or JPEG)");
        }
        ImageProbe.Decoded decoded;
        try {
            decoded = ImageProbe.decode(body, settings.maxPixels());
        } catch (ImageProbe.TooManyPixelsException e) {
            throw new RefusedException(413, "image_too_large", "the image is " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new RefusedException(400, "bad_image", "the body is " + e.getMessage());
        }
        String mediaType = decoded.probed().mediaType();
        if (!MEDIA_TYPES.contains(mediaType)) {
            throw new RefusedException(415, "unsupported_image_type",
                    "the body is a " + mediaType + " image; send PNG or JPEG");
        }
        RgbImage image = RgbImage.fromBufferedImage(decoded.image());
        String text = prompt == null ? settings.defaultPrompt() : prompt.strip();
        if (text.isEmpty()) {
            throw new RefusedException(400, "empty_prompt", "the prompt parameter is empty; leave it out for the"
                    + " default prompt \"" + settings.defaultPrompt() + "\"");
        }
        String sha = Sha256.hex(body);
        Optional<Caption> answer = serving.serve((model, version) -> write(model, version, image, text, sha, scores));
        Caption caption = answer.orElseThrow(() -> new RefusedException(503, "not_ready",
                "no model version is in service yet; GET /readyz says when one is"));
        recent.add(new RecentCaptions.Shown(caption.captionId(), body, sha, mediaType, decoded.probed().width(),
                decoded.probed().height(), text, caption.caption(), caption.modelName(), caption.modelVersion()));
        return caption;
    }

    private Caption write(ModelInstance model, ModelVersion version, RgbImage image, String prompt, String sha,
                          boolean scores) {
        int tokens = captionBudget(model, prompt);
        CaptionGenerator.Generation generated = new CaptionGenerator(model, tokens)
                .generate(List.of(image), prompt, 0, 0).get(0);
        List<Token> scored = null;
        if (scores) {
            TokenScorer.Scored s = new TokenScorer(model, corruptor)
                    .score(List.of(new TokenScorer.Request(image, prompt, generated.text(), sha))).get(0);
            scored = new ArrayList<>();
            for (int i = 0; i < s.tokens().size(); i++) {
                scored.add(new Token(s.tokens().get(i), s.scores()[i]));
            }
        }
        return new Caption(UUID.randomUUID().toString(), generated.text(), version.getModelName(),
                version.getVersion(), prompt, sha, scored);
    }

    /** How many tokens the caption may have after this prompt; refuses prompts the model cannot read. */
    private int captionBudget(ModelInstance model, String prompt) {
        TextTokenizer tokenizer = model.tokenizer();
        OptionalLong unknown = tokenizer.unknownId();
        if (unknown.isPresent()) {
            List<String> words = new ArrayList<>();
            for (String word : prompt.split("\\s+")) {
                long[] ids = tokenizer.encode(word);
                for (long id : ids) {
                    if (id == unknown.getAsLong()) {
                        words.add(word);
                        break;
                    }
                }
            }
            if (!words.isEmpty()) {
                throw new RefusedException(400, "unknown_prompt", "the prompt has words the model does not know: "
                        + String.join(", ", words));
            }
        }
        // positions: image patches, then the prompt's text after the placeholder, then the caption and its end
        int promptPositions = model.format().promptIds(prompt).length - 1 + model.config().vision().numPatches();
        int room = model.config().text().maxPositions() - promptPositions;
        if (room < 2) {
            throw new RefusedException(400, "prompt_too_long", "the prompt takes " + promptPositions
                    + " of the model's " + model.config().text().maxPositions() + " positions, leaving no room for a"
                    + " caption");
        }
        return Math.min(settings.maxNewTokens(), room - 1);
    }

    /** The caption this service wrote with that id, if it still remembers it. */
    Optional<RecentCaptions.Shown> shown(String captionId) {
        return recent.get(captionId);
    }
}
