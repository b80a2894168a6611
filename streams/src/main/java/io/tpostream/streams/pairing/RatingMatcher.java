package io.tpostream.streams.pairing;

import io.tpostream.streams.PairingConfig;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Which held ratings a newly arrived rating of the same (image, prompt) forms a preference with. Pure. */
final class RatingMatcher {

    /** A held rating the arriving one pairs with; the higher rating is the chosen side. */
    record Match(KeyState.Slot held, boolean arrivingChosen, double gap) {
    }

    private final long windowMillis;
    private final BigDecimal threshold;

    RatingMatcher(PairingConfig config) {
        this.windowMillis = config.ratingWindow().toMillis();
        this.threshold = BigDecimal.valueOf(config.ratingGapThreshold());
    }

    /**
     * The matches, oldest held rating first (ties in arrival order: the list's, which a replay repeats), so that a
     * per-key cap always keeps the same pairs on a replay.
     *
     * @param live the held ratings of the same key that have not expired, in arrival order
     */
    List<Match> matches(KeyState.Slot arriving, List<KeyState.Slot> live) {
        // plain loops: this runs for every rating, against every held rating of its key
        List<Match> out = new ArrayList<>();
        for (KeyState.Slot held : live) {
            if (held.idHash() == arriving.idHash()
                    || Math.abs(held.timestamp() - arriving.timestamp()) > windowMillis
                    || held.textHash() == arriving.textHash()) {
                continue;
            }
            Match m = match(arriving, held);
            if (m != null) {
                out.add(m);
            }
        }
        out.sort(OLDEST_FIRST); // stable: equal timestamps keep arrival order
        return out;
    }

    private static final Comparator<Match> OLDEST_FIRST = Comparator.comparingLong(m -> m.held().timestamp());

    /** The match, or null if the gap is too small. */
    private Match match(KeyState.Slot arriving, KeyState.Slot held) {
        // decimal arithmetic on the ratings as written: 3.3 - 1.3 is 2.0 here, 1.9999999999999998 in binary
        BigDecimal gap = BigDecimal.valueOf(arriving.rating()).subtract(BigDecimal.valueOf(held.rating())).abs();
        if (gap.compareTo(threshold) < 0) {
            return null;
        }
        return new Match(held, arriving.rating() > held.rating(), gap.doubleValue());
    }
}
