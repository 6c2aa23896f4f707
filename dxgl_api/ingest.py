"""Downloading a model from a URL without becoming a proxy into the server's own network.

Every connection (the first and each redirect) resolves the host name itself, refuses it when any
address is private, loopback, link-local or otherwise not global (unless a configured network
exempts it), and then connects to the address it checked, so a DNS answer cannot change between
check and connect. Environment proxies are ignored. The whole download is bounded in size and in
wall-clock time.
"""
from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

from . import storage
from .errors import ApiError

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(Exception):
    """The host resolves to an address the server must not fetch from."""


@dataclass(frozen=True)
class AddressPolicy:
    allowed: tuple[Network, ...] = ()

    @classmethod
    def from_cidrs(cls, cidrs: tuple[str, ...]) -> "AddressPolicy":
        return cls(tuple(ipaddress.ip_network(c, strict=False) for c in cidrs))

    def permits(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip in net for net in self.allowed):
            return True
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return ip.is_global and not ip.is_multicast

    def resolve(self, host: str, port: int) -> str:
        """The first address of `host`; BlockedAddress if any of its addresses is refused."""
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        refused = [a for a in addresses if not self.permits(a)]
        if refused or not addresses:
            raise BlockedAddress(f"{host} resolves to {refused[0] if refused else 'nothing'}, "
                                 "a private, loopback or link-local address")
        return addresses[0]


class _Guarded:
    policy: AddressPolicy

    def _new_conn(self):
        try:
            address = self.policy.resolve(self._dns_host, self.port)
        except socket.gaierror as err:
            raise NameResolutionError(self.host, self, err) from err
        host, self._dns_host = self._dns_host, address
        try:
            return super()._new_conn()
        finally:
            self._dns_host = host


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, policy: AddressPolicy):
        self.policy = policy
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        http = type("GuardedHTTPConnection", (_Guarded, HTTPConnection), {"policy": self.policy})
        https = type("GuardedHTTPSConnection", (_Guarded, HTTPSConnection), {"policy": self.policy})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }


def check_url(url) -> str:
    """The URL if it is an absolute http(s) URL with a host; invalid_url otherwise."""
    if not isinstance(url, str) or len(url) > 2048:
        raise ApiError("invalid_url", "url must be an http or https URL string")
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ApiError("invalid_url", f"malformed URL: {url[:200]}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ApiError("invalid_url", f"malformed URL (expected http:// or https:// with a host): {url[:200]}")
    return url


def download(url: str, *, max_bytes: int, timeout_s: float, allowed_networks: tuple[str, ...] = ()) -> tuple[
        storage.Received, str]:
    """Fetch `url` into tmp/ and return it with a file name for it (from the final URL).

    invalid_url: refused address, unreachable host, HTTP error; timeout (408): past `timeout_s`;
    file_too_large: past `max_bytes`."""
    url = check_url(url)
    session = requests.Session()
    session.trust_env = False
    session.max_redirects = MAX_REDIRECTS
    adapter = _GuardedAdapter(AddressPolicy.from_cidrs(allowed_networks))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    deadline = time.monotonic() + timeout_s
    io_timeout = (min(10.0, timeout_s), min(30.0, timeout_s))
    try:
        with session.get(url, stream=True, timeout=io_timeout, headers={"User-Agent": "dxgl-ingest"}) as resp:
            if resp.status_code >= 400:
                raise ApiError("invalid_url", f"the URL answered HTTP {resp.status_code}")
            declared = resp.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ApiError("file_too_large", f"the file is {int(declared):,} bytes; the limit is "
                               f"{storage.size_text(max_bytes)}")
            received = storage.receive(_Body(resp, deadline), ".download", max_bytes)
            return received, _file_name(resp.url)
    except BlockedAddress as err:
        raise ApiError("invalid_url", f"refused: {err}") from None
    except (requests.Timeout, _Overtime):
        raise ApiError("timeout", f"the download took longer than {timeout_s:g} seconds") from None
    except requests.TooManyRedirects:
        raise ApiError("invalid_url", f"more than {MAX_REDIRECTS} redirects") from None
    except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL, requests.exceptions.MissingSchema):
        raise ApiError("invalid_url", "the URL (or a redirect) is not an http or https URL") from None
    except requests.RequestException as err:
        raise ApiError("invalid_url", f"cannot download the URL: {_reason(err)}") from None
    finally:
        session.close()


class _Overtime(Exception):
    pass


class _Body:
    """A file-like view of the response body that stops at the deadline."""

    def __init__(self, resp: requests.Response, deadline: float):
        self.raw = resp.raw
        self.deadline = deadline

    def read(self, size: int) -> bytes:
        if time.monotonic() > self.deadline:
            raise _Overtime()
        try:
            return self.raw.read1(min(size, CHUNK), decode_content=True)
        except Exception as err:  # urllib3 read errors: timeouts and dropped connections
            if "timed out" in str(err).lower():
                raise _Overtime() from err
            raise requests.ConnectionError(str(err)) from err


def _file_name(url: str) -> str:
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    return name[:200] or "model"


def _reason(err: Exception) -> str:
    text = str(err)
    for marker in ("Name or service not known", "Connection refused", "No route to host", "Temporary failure"):
        if marker in text:
            return marker.lower()
    return text[:200]
