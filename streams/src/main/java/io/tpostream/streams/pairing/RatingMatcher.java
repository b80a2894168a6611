package io.tpostream.streams.pairing;

import io.tpostream.streams.PairingConfig;
import io.tpostream.streams.validation.FeedbackValidator;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Which held ratings a newly arrived rating of the same (image, prompt) forms a preference with. Pure. */
final class RatingMatcher {

    /** A held rating the arriving one pairs with; the higher rating is the chosen side. */
    record Match(HeldRating held, boolean arrivingChosen, double gap) {
    }

    private final long windowMillis;
    private final BigDecimal threshold;

    RatingMatcher(PairingConfig config) {
        this.windowMillis = config.ratingWindow().toMillis();
        this.threshold = BigDecimal.valueOf(config.ratingGapThreshold());
    }

    /**
     * The matches, oldest held rating first (ties by event id), so that a per-key cap always keeps the same
     * pairs on a replay.
     *
     * @param live the held ratings of the same key that have not expired
     */
    List<Match> matches(HeldRating arriving, List<HeldRating> live) {
        // plain loops: this runs for every rating, against every held rating of its key
        List<Match> out = new ArrayList<>();
        for (HeldRating held : live) {
            if (held.eventId().equals(arriving.eventId())
                    || Math.abs(held.timestamp() - arriving.timestamp()) > windowMillis
                    || FeedbackValidator.sameText(held.response(), arriving.response())) {
                continue;
            }
            Match m = match(arriving, held);
            if (m != null) {
                out.add(m);
            }
        }
        out.sort(OLDEST_FIRST);
        return out;
    }

    private static final Comparator<Match> OLDEST_FIRST = Comparator.<Match>comparingLong(m -> m.held().timestamp())
            .thenComparing(m -> m.held().eventId());

    /** The match, or null if the gap is too small. */
    private Match match(HeldRating arriving, HeldRating held) {
        // decimal arithmetic on the ratings as written: 3.3 - 1.3 is 2.0 here, 1.9999999999999998 in binary
        BigDecimal gap = BigDecimal.valueOf(arriving.rating()).subtract(BigDecimal.valueOf(held.rating())).abs();
        if (gap.compareTo(threshold) < 0) {
            return null;
        }
        return new Match(held, arriving.rating() > held.rating(), gap.doubleValue());
    }
}
