package io.tpostream.trainer.image;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressPolicyTest {

    private static final AddressPolicy STRICT = new AddressPolicy(List.of());

    private static Optional<String> strict(String address) {
        return STRICT.refusal(IpNetwork.literal(address));
    }

    private static void refusedAs(String address, String why) {
        Optional<String> refusal = strict(address);
        assertTrue(refusal.isPresent() && refusal.get().startsWith(why), address + ": " + refusal);
    }

    @Test
    void publicAddressesAreReachable() {
        for (String address : List.of("93.184.216.34", "8.8.8.8", "2606:4700::6810:84e5", "172.32.0.1",
                "100.128.0.1", "11.0.0.1")) {
            assertEquals(Optional.empty(), strict(address), address);
        }
    }

    @Test
    void whatOnlyTheTrainersOwnNetworkReachesIsRefused() {
        refusedAs("127.0.0.1", "a loopback address");
        refusedAs("127.255.0.9", "a loopback address");
        refusedAs("::1", "a loopback address");
        refusedAs("169.254.169.254", "a link-local address (where cloud metadata services answer)");
        refusedAs("fe80::1", "a link-local address");
        refusedAs("0.0.0.0", "an unspecified");
        refusedAs("::", "an unspecified");
        refusedAs("10.1.2.3", "a private address");
        refusedAs("172.16.0.1", "a private address");
        refusedAs("172.31.255.255", "a private address");
        refusedAs("192.168.1.1", "a private address");
        refusedAs("fd00:ec2::254", "a private address"); // a cloud's IPv6 metadata endpoint
        refusedAs("224.0.0.1", "a multicast address");
        refusedAs("ff02::1", "a multicast address");
        refusedAs("100.100.100.200", "a shared (carrier-grade NAT) address"); // another cloud's metadata service
        refusedAs("0.1.2.3", "a 'this network' address");
        refusedAs("255.255.255.255", "a reserved or broadcast address");
    }

    @Test
    void anIpv6FormOfAnIpv4AddressIsJudgedByThatIpv4Address() {
        refusedAs("::ffff:127.0.0.1", "a loopback address"); // the JDK reads a mapped address as the IPv4 one
        refusedAs("::7f00:1", "a loopback address (127.0.0.1 inside an IPv6 address)");
        refusedAs("64:ff9b::a9fe:a9fe", "a link-local address"); // NAT64 of 169.254.169.254
        refusedAs("2002:0a00:0001::1", "a private address (10.0.0.1 inside"); // 6to4
        assertEquals(Optional.empty(), strict("64:ff9b::808:808"), "NAT64 of a public address");
    }

    @Test
    void anAllowedNetworkIsReachableAndNothingBeyondIt() {
        AddressPolicy allowing = new AddressPolicy(List.of(IpNetwork.parse("127.0.0.1/32"),
                IpNetwork.parse("10.20.0.0/16")));
        assertEquals(Optional.empty(), allowing.refusal(IpNetwork.literal("127.0.0.1")));
        assertEquals(Optional.empty(), allowing.refusal(IpNetwork.literal("10.20.255.1")));
        assertTrue(allowing.refusal(IpNetwork.literal("127.0.0.2")).isPresent());
        assertTrue(allowing.refusal(IpNetwork.literal("10.21.0.1")).isPresent());
        assertTrue(allowing.refusal(IpNetwork.literal("169.254.169.254")).isPresent());
    }
}
