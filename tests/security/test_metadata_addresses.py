"""Attack: register a repository whose host is a cloud metadata endpoint.

The ``ipaddress`` flags call several of these addresses global (Oracle's
192.0.0.192, Azure's 168.63.129.16) or flag them differently from one
Python release to the next, so they were accepted as repository hosts and
a refresh would have asked the metadata service for "a repository". An
explicit deny list now comes first, for every scheme and every spelling.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from projects.core.repo_url import (
    METADATA_NETWORKS,
    InvalidRepoUrlError,
    forbidden_address_reason,
    validate_repo_url,
)

METADATA_ADDRESSES = [
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack
    "169.254.170.2",  # AWS ECS credentials
    "192.0.0.192",  # Oracle Cloud
    "100.100.100.200",  # Alibaba Cloud
    "168.63.129.16",  # Azure WireServer
    "fd00:ec2::254",  # AWS IMDS over IPv6
    "fd20:ce::254",  # Google Cloud over IPv6
]


def _resolver_to(address: str):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def resolve(host, port, **kwargs):
        return [(family, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    return resolve


def _literal(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@pytest.mark.parametrize("address", METADATA_ADDRESSES)
@pytest.mark.parametrize(
    "template",
    ["https://{host}/acme/repo.git", "ssh://git@{host}/acme/repo.git", "git://{host}/acme/repo"],
)
def test_a_metadata_address_literal_is_refused_as_repository_host(address, template):
    with pytest.raises(InvalidRepoUrlError, match="cloud metadata"):
        validate_repo_url(template.format(host=_literal(address)), allow_local=False)


@pytest.mark.parametrize("address", METADATA_ADDRESSES)
def test_a_name_resolving_to_a_metadata_address_is_refused(address):
    with pytest.raises(InvalidRepoUrlError, match="cloud metadata"):
        validate_repo_url(
            "https://innocent.example/acme/repo.git",
            allow_local=False,
            resolve=_resolver_to(address),
        )


@pytest.mark.parametrize("address", ["192.0.0.192", "100.100.100.200", "168.63.129.16"])
def test_an_scp_like_url_to_a_metadata_address_is_refused(address):
    with pytest.raises(InvalidRepoUrlError, match="cloud metadata"):
        validate_repo_url(f"git@{address}:acme/repo.git", allow_local=False)


@pytest.mark.parametrize(
    "spelling",
    [
        "::ffff:192.0.0.192",  # IPv4-mapped
        "64:ff9b::6464:64c8",  # NAT64 of 100.100.100.200
        "2002:a83f:8110::",  # 6to4 of 168.63.129.16
    ],
)
def test_ipv6_spellings_of_a_metadata_address_are_refused(spelling):
    assert forbidden_address_reason(ipaddress.ip_address(spelling)) == "cloud metadata service"


def test_every_deny_list_entry_is_refused_even_where_the_flags_say_global():
    flagged_global = [net for net in METADATA_NETWORKS if net.network_address.is_global]
    assert flagged_global, "the deny list should cover addresses the flags miss"
    for net in METADATA_NETWORKS:
        assert forbidden_address_reason(net.network_address) == "cloud metadata service"


def test_a_public_forge_address_is_still_accepted():
    repo = validate_repo_url("https://140.82.121.4/acme/repo.git", allow_local=False)
    assert repo.addresses == ("140.82.121.4",)
