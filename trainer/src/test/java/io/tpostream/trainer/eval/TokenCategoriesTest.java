package io.tpostream.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenCategoriesTest {

    @Test
    void shapesAreObjectsColoursAreAttributesTheRestIsOther() {
        assertEquals(TokenCategory.OBJECT, TokenCategories.categoryOf("circle"));
        assertEquals(TokenCategory.OBJECT, TokenCategories.categoryOf(" Cross "));
        assertEquals(TokenCategory.ATTRIBUTE, TokenCategories.categoryOf("orange"));
        assertEquals(TokenCategory.OTHER, TokenCategories.categoryOf("a"));
        assertEquals(TokenCategory.OTHER, TokenCategories.categoryOf("."));
        assertEquals(TokenCategory.OTHER, TokenCategories.categoryOf("<eos>"));
    }

    @Test
    void meanScorePerCategory() {
        TokenCategories c = new TokenCategories().addAll(
                new String[]{"a", "red", "circle", "and", "a", "blue", "square", "."},
                new double[]{0.1, 0.5, 0.9, 0.0, 0.1, 0.3, 0.7, 0.2});
        assertEquals(0.8, c.of(TokenCategory.OBJECT).mean(), 1e-12);
        assertEquals(0.4, c.of(TokenCategory.ATTRIBUTE).mean(), 1e-12);
        assertEquals(0.1, c.of(TokenCategory.OTHER).mean(), 1e-12);
        assertEquals(4, c.of(TokenCategory.OTHER).count());
        c.addAll(List.of("triangle"), List.of(0.2f));
        assertEquals(0.6, c.means().get(TokenCategory.OBJECT).mean(), 1e-6);
    }

    @Test
    void emptyCategoryHasNoMeanAndLengthsMustAgree() {
        TokenCategories c = new TokenCategories().add("a", 1.0);
        assertTrue(Double.isNaN(c.of(TokenCategory.OBJECT).mean()));
        assertEquals(3, c.means().size());
        assertThrows(IllegalArgumentException.class, () -> c.addAll(new String[]{"a"}, new float[0]));
    }
}
