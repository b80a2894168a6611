package io.tpostream.trainer.image;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpNetworkTest {

    @Test
    void aNetworkHoldsTheAddressesItsPrefixCovers() {
        IpNetwork n = IpNetwork.parse("172.16.0.0/12");
        assertTrue(n.contains(IpNetwork.literal("172.16.0.0")));
        assertTrue(n.contains(IpNetwork.literal("172.31.255.255")));
        assertFalse(n.contains(IpNetwork.literal("172.32.0.0")));
        assertFalse(n.contains(IpNetwork.literal("172.15.255.255")));
        assertFalse(n.contains(IpNetwork.literal("fd00::1")), "an IPv6 address is in no IPv4 network");
        assertTrue(IpNetwork.parse("fc00::/7").contains(IpNetwork.literal("fdff::1")));
        assertTrue(IpNetwork.parse("0.0.0.0/0").contains(IpNetwork.literal("203.0.113.9")));
    }

    @Test
    void anAddressWithoutPrefixIsThatAddressAloneAndBitsPastThePrefixDoNotCount() {
        assertEquals(IpNetwork.parse("127.0.0.1/32"), IpNetwork.parse("127.0.0.1"));
        assertEquals(IpNetwork.parse("10.0.0.0/8"), IpNetwork.parse("10.9.8.7/8"));
        assertEquals("10.0.0.0/8", IpNetwork.parse("10.9.8.7/8").toString());
        assertEquals("0:0:0:0:0:0:0:1/128", IpNetwork.parse("[::1]").toString());
    }

    @Test
    void namesAndMalformedTextAreRefusedWithoutAskingDns() {
        for (String text : List.of("example.com", "localhost", "300.1.1.1", "10.0.0.0/33", "10.0.0.0/x", "", "1.2.3",
                "::g")) {
            assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse(text), text);
        }
    }
}
