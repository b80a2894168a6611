package io.tpostream.trainer.image;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostAllowlistTest {

    @Test
    void exactNamesMatchThemselvesOnlyAndSuffixesMatchWhatLiesBelow() {
        HostAllowlist list = new HostAllowlist(List.of("images.example.com", ".cdn.example.net", "10.1.2.3"));
        assertTrue(list.permits("images.example.com"));
        assertTrue(list.permits("IMAGES.Example.COM."), "case and the root's trailing dot do not matter");
        assertFalse(list.permits("other.example.com"));
        assertFalse(list.permits("images.example.com.evil.org"));
        assertTrue(list.permits("a.cdn.example.net"));
        assertTrue(list.permits("b.a.cdn.example.net"));
        assertFalse(list.permits("cdn.example.net"), "a suffix is what lies below, not the name itself");
        assertFalse(list.permits("xcdn.example.net"));
        assertTrue(list.permits("10.1.2.3"));
        assertFalse(list.permits("10.1.2.30"));
    }

    @Test
    void noneRefusesEverythingAndStarPermitsEveryHost() {
        assertFalse(HostAllowlist.none().permits("images.example.com"));
        assertTrue(new HostAllowlist(List.of("*")).permits("anything.example"));
        assertTrue(new HostAllowlist(List.of("::1")).permits("[::1]"), "IPv6 literals as URIs write them");
    }

    @Test
    void entriesThatCannotMeanAHostAreRefused() {
        for (String entry : List.of("", ".", "*.example.com", "https://images.example.com", "images.example.com/x")) {
            assertThrows(IllegalArgumentException.class, () -> new HostAllowlist(List.of(entry)), entry);
        }
    }
}
