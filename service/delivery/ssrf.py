"""Which addresses a webhook may reach: public ones only, so that a subscriber URL cannot probe our network."""

import ipaddress
import socket

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task credentials
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """A subscriber host that is, or resolves to, an address webhooks must not reach."""


def _embedded_ipv4(ip):
    """Return the IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), or None."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(address):
    """Return why an IP address may not be reached ("a loopback address", ...), or None when it is public."""
    ip = ipaddress.ip_address(address)
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return refusal(embedded)
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    for test, kind in (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    ):
        if test:
            return kind
    return None


def public_addresses(host, port):
    """Resolve a host and return its addresses, raising AddressRefused if any of them is not public.

    Every address counts, not just the first: a client may connect to any of them. A host that does
    not resolve raises socket.gaierror.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        reason = refusal(address)
        if reason:
            shown = host if host == address else f"{host}, which resolves to {address},"
            raise AddressRefused(f"{shown} is {reason}; webhooks only reach public addresses.")
    return addresses
