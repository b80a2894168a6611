package io.tpostream.trainer.image;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageCacheTest {

    @Test
    void theLeastRecentlyUsedImagesGoFirstWhenTheBudgetIsFull() {
        ImageCache cache = new ImageCache(10);
        cache.put("a", new byte[4]);
        cache.put("b", new byte[4]);
        assertTrue(cache.get("a").isPresent()); // a is now the more recently used
        cache.put("c", new byte[4]);
        assertEquals(Optional.empty(), cache.get("b"));
        assertTrue(cache.get("a").isPresent() && cache.get("c").isPresent());
        assertEquals(8, cache.heldBytes());
        cache.put("d", new byte[10]);
        assertEquals(1, cache.size(), "room made for an image of the whole budget");
        assertEquals(10, cache.heldBytes());
    }

    @Test
    void anImageLargerThanTheBudgetIsNotKeptAndNothingIsDroppedForIt() {
        ImageCache cache = new ImageCache(10);
        byte[] small = {1, 2, 3};
        cache.put("small", small);
        cache.put("huge", new byte[11]);
        assertEquals(Optional.empty(), cache.get("huge"));
        assertArrayEquals(small, cache.get("small").orElseThrow());
        ImageCache none = new ImageCache(0);
        none.put("small", small);
        assertEquals(0, none.size());
    }
}
