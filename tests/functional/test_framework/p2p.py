"""A raw P2P peer for tests that speak the wire protocol from Python: framing
(magic, command, length, checksum), the version handshake, and reading
messages back."""

import hashlib
import socket
import struct
import time

from .tx import REGTEST_CHAIN_ID

MAGIC = bytes([0xd3, 0x9e, 0x1a, 0x7f])


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def frame(command, payload, magic=MAGIC, checksum=None):
    cmd = command.encode().ljust(12, b"\0")
    checksum = checksum if checksum is not None else sha256d(payload)[:4]
    return magic + cmd + struct.pack("<I", len(payload)) + checksum + payload


def version_payload(chain_id, genesis, nonce=0x1234):
    ua = b"/python-raw/"
    return (struct.pack("<IQQQ", 1, 1, int(time.time()), chain_id) + genesis +
            struct.pack("<QQH", 0, nonce, 0) + bytes(16) + struct.pack("<H", 0) +
            struct.pack("<H", len(ua)) + ua)


class RawPeer:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def handshake(self, genesis, chain_id=REGTEST_CHAIN_ID):
        self.send(frame("version", version_payload(chain_id, genesis)))
        self.send(frame("verack", b""))

    def read_message(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.buf) >= 24:
                length = struct.unpack("<I", self.buf[16:20])[0]
                if len(self.buf) >= 24 + length:
                    cmd = self.buf[4:16].rstrip(b"\0").decode()
                    payload = self.buf[24:24 + length]
                    self.buf = self.buf[24 + length:]
                    return cmd, payload
            self.sock.settimeout(max(0.05, deadline - time.time()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                return None
            self.buf += chunk
        return None

    def wait_for(self, command, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.read_message(deadline - time.time())
            if m is None:
                return None
            if m[0] == command:
                return m[1]
        return None

    def closed(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.sock.settimeout(0.2)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                return True
            if not data:
                return True
        return False

    def close(self):
        self.sock.close()




def inv_payload(items):
    """`items`: (type, 32-byte hash) pairs; type 1 tx, 2 block."""
    return struct.pack("<I", len(items)) + b"".join(bytes([t]) + h for t, h in items)
