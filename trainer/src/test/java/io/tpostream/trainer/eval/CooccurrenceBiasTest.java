package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CooccurrenceBiasTest {

    @Test
    void sixDisjointPairsGiveASymmetricPartnerFunction() {
        Set<ObjectKind> members = new HashSet<>();
        for (CooccurrenceBias.PartnerPair p : CooccurrenceBias.PAIRS) {
            assertTrue(members.add(p.first()));
            assertTrue(members.add(p.second()));
            assertEquals(Optional.of(p.second()), CooccurrenceBias.partnerOf(p.first()));
            assertEquals(Optional.of(p.first()), CooccurrenceBias.partnerOf(p.second()));
        }
        assertEquals(6, CooccurrenceBias.PAIRS.size());
        for (ObjectKind k : ObjectKind.ALL) {
            assertEquals(members.contains(k), CooccurrenceBias.partnerOf(k).isPresent(), k.phrase());
        }
    }

    @Test
    void onlyTrainModePlacesPartners() {
        ObjectKind redCircle = ObjectKind.parse("red circle");
        ObjectKind redSquare = ObjectKind.parse("red square");
        assertEquals(0.9, CooccurrenceBias.train().partnerProbability(redCircle));
        assertEquals(0.5, CooccurrenceBias.train(0.5).partnerProbability(redCircle));
        assertEquals(0.0, CooccurrenceBias.train().partnerProbability(redSquare));
        assertEquals(0.0, CooccurrenceBias.none().partnerProbability(redCircle));
        assertThrows(IllegalArgumentException.class, () -> CooccurrenceBias.train(1.5));
    }
}
