"""A socket guard: proves that code under test sends no packet beyond what it is allowed.

Strategy: patch the few places every Python network client goes through — the
`socket.socket` methods that pick a destination (`connect`, `connect_ex`, `sendto`,
`sendmsg`) or send on a connected socket (`send`, `sendall`), plus the module-level name
look-ups that query DNS themselves (`getaddrinfo`, `gethostbyname`, …) — and record every
attempt to reach an address that is not allowed. An attempt raises `NetworkBlocked`
at once, and is also recorded, and the fixture fails the test at teardown if anything
was recorded: code that swallows exceptions (the analysis turns a failing rule into a
finding) cannot hide a packet that way.

`net_guard` allows loopback (127.0.0.1, ::1: the local test DNS server);
`no_network` allows nothing at all, not even loopback. A root conftest may load them
with `pytest_plugins = ["tests.net_guard"]`; a test module that also imports from here
defines its own thin fixture around `guard_for_test` instead (pytest cannot rewrite the
asserts of a plugin module that was imported first).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

_LOOPBACK = frozenset({"127.0.0.1", "::1"})


class NetworkBlocked(AssertionError):
    """Raised where code under test tried to reach a forbidden address."""


class NetGuard:
    """The record of forbidden attempts, and whether loopback is allowed."""

    def __init__(self, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback
        self.attempts: list[str] = []

    def check(self, action: str, address: object) -> None:
        host = _host_of(address)
        if self.allow_loopback and host in _LOOPBACK:
            return
        attempt = f"{action} {address!r}"
        self.attempts.append(attempt)
        raise NetworkBlocked(f"network access blocked: {attempt}")

    def check_name(self, action: str, host: object) -> None:
        """Name look-ups: a literal address resolves locally, anything else asks DNS."""
        text = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
        if host is not None and _is_literal(text):
            self.check(action, (text, 0))
            return
        if host is None:
            return  # getaddrinfo(None, port) is the wildcard/local address: no look-up
        attempt = f"{action} {text!r}"
        self.attempts.append(attempt)
        raise NetworkBlocked(f"name look-up blocked: {attempt}")


def _host_of(address: object) -> str | None:
    """The host of a socket address: (host, port[, flow, scope]) for INET/INET6."""
    if isinstance(address, tuple) and address and isinstance(address[0], str):
        host = address[0].split("%", 1)[0]
        try:
            return str(ipaddress.ip_address(host))
        except ValueError:
            return host  # a name: never loopback by our rules, since it needs a look-up
    return None  # AF_UNIX paths and the like: not network traffic


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _peer(sock: socket.socket) -> object:
    try:
        return sock.getpeername()
    except OSError:
        return None  # not connected: the send fails on its own, with no packet


@contextmanager
def guarded(allow_loopback: bool) -> Iterator[NetGuard]:
    """Patch the socket module for the duration of the block (no pytest needed)."""
    guard = NetGuard(allow_loopback)
    original = socket.socket
    saved: dict[str, Any] = {
        name: getattr(original, name)
        for name in ("connect", "connect_ex", "sendto", "sendmsg", "send", "sendall")
    }
    saved_module: dict[str, Any] = {
        name: getattr(socket, name)
        for name in (
            "getaddrinfo",
            "gethostbyname",
            "gethostbyname_ex",
            "gethostbyaddr",
            "create_connection",
        )
    }

    def by_destination(name: str, index: int) -> Callable[..., Any]:
        method = saved[name]

        def wrapper(self: socket.socket, *args: Any) -> Any:
            # The destination is the last positional argument (sendto may take flags).
            if self.family in (socket.AF_INET, socket.AF_INET6) and args:
                guard.check(name, args[index])
            return method(self, *args)

        return wrapper

    def on_connected(name: str) -> Callable[..., Any]:
        method = saved[name]

        def wrapper(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6):
                peer = _peer(self)
                if peer is not None:
                    guard.check(name, peer)
            return method(self, *args, **kwargs)

        return wrapper

    def sendmsg(self: socket.socket, *args: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            destination = args[3] if len(args) > 3 else _peer(self)
            if destination is not None:
                guard.check("sendmsg", destination)
        return saved["sendmsg"](self, *args)

    def name_lookup(name: str) -> Callable[..., Any]:
        function = saved_module[name]

        def wrapper(host: object, *args: Any, **kwargs: Any) -> Any:
            guard.check_name(name, host)
            return function(host, *args, **kwargs)

        return wrapper

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        guard.check_name("create_connection", address[0])
        return saved_module["create_connection"](address, *args, **kwargs)

    patches: dict[str, Any] = {
        "connect": by_destination("connect", 0),
        "connect_ex": by_destination("connect_ex", 0),
        "sendto": by_destination("sendto", -1),
        "sendmsg": sendmsg,
        "send": on_connected("send"),
        "sendall": on_connected("sendall"),
    }
    try:
        for name, replacement in patches.items():
            setattr(original, name, replacement)
        for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
            setattr(socket, name, name_lookup(name))
        socket.create_connection = create_connection  # type: ignore[assignment]
        yield guard
    finally:
        for name, method in saved.items():
            setattr(original, name, method)
        for name, function in saved_module.items():
            setattr(socket, name, function)


def guard_for_test(allow_loopback: bool) -> Iterator[NetGuard]:
    """Body of a guard fixture: yields the guard, then fails the test on any attempt.

    Test modules wrap it in a fixture of their own (`yield from guard_for_test(True)`),
    which avoids importing fixture objects (and shadowing them in test signatures).
    """
    with guarded(allow_loopback) as guard:
        yield guard
    if guard.attempts:
        pytest.fail("network access attempted: " + "; ".join(guard.attempts), pytrace=False)


@pytest.fixture
def net_guard() -> Iterator[NetGuard]:
    """Only loopback (the local test DNS server) may be reached."""
    yield from guard_for_test(allow_loopback=True)


@pytest.fixture
def no_network() -> Iterator[NetGuard]:
    """Nothing may be reached, not even loopback: offline means no packet at all."""
    yield from guard_for_test(allow_loopback=False)
