"""Free loopback ports for the benches' and the tests' servers."""

from __future__ import annotations

import random
import socket


def free_port() -> int:
    """A loopback port free at the time of the call (the kernel's choice, bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_block(size: int) -> int:
    """The first of `size` consecutive free loopback ports, in 20000..59999.

    Raises OSError when 200 random blocks all had a port taken.
    """
    for _ in range(200):
        first = random.randrange(20_000, 60_000 - size)
        try:
            for port in range(first, first + size):
                with socket.create_server(("127.0.0.1", port)):
                    pass
        except OSError:
            continue
        return first
    raise OSError("no block of free loopback ports")
