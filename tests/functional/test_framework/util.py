"""Assertions, waiting and port helpers shared by the functional tests."""

import socket
import time


class TestFailure(AssertionError):
    pass


def assert_equal(a, b, msg=""):
    if a != b:
        raise TestFailure(f"{a!r} != {b!r} {msg}".rstrip())


def assert_true(cond, msg="condition is false"):
    if not cond:
        raise TestFailure(msg)


def assert_in(item, container, msg=""):
    if item not in container:
        raise TestFailure(f"{item!r} not in {container!r} {msg}".rstrip())


def assert_greater_than(a, b):
    if not a > b:
        raise TestFailure(f"{a!r} <= {b!r}")


def assert_raises_rpc_error(code, message_part, fn, *args, **kwargs):
    """Calls fn and checks it raises JSONRPCException with `code` (None: any)
    and a message containing `message_part` (None: any)."""
    from .rpc import JSONRPCException
    try:
        fn(*args, **kwargs)
    except JSONRPCException as e:
        if code is not None and e.code != code:
            raise TestFailure(f"expected error code {code}, got {e.code}: {e.message}")
        if message_part is not None and message_part not in e.message:
            raise TestFailure(f"expected {message_part!r} in error message {e.message!r}")
        return e
    raise TestFailure("no JSON-RPC error was raised")


def wait_until(predicate, timeout=30.0, interval=0.1, what="condition"):
    """Polls predicate until it returns a truthy value (returned) or times out."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - a predicate may fail while a node starts
            last_exc = e
        time.sleep(interval)
    extra = f" (last error: {last_exc})" if last_exc else ""
    raise TestFailure(f"timed out after {timeout:.0f}s waiting for {what}{extra}")


_used_ports = set()


def free_port():
    """A loopback TCP port that is free right now and not handed out before
    in this process. The kernel may still reuse it; nodes are started
    promptly so collisions are rare, and start-up failures say so."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _used_ports:
            _used_ports.add(port)
            return port
    raise TestFailure("no free port found")


WEI_PER_DPN = 10**18
