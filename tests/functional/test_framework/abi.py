"""Solidity ABI encoding for calls to the native modules, and the secp256k1
public key of a private key (createOrder publishes the tenant's), in plain
Python for the functional tests."""

# secp256k1, for the tenant's public key (createOrder publishes it).
P = 2**256 - 2**32 - 977
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def point_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        m = 3 * a[0] * a[0] * pow(2 * a[1], -1, P)
    else:
        m = (b[1] - a[1]) * pow(b[0] - a[0], -1, P)
    x = (m * m - a[0] - b[0]) % P
    return (x, (m * (a[0] - x) - a[1]) % P)


def public_key(private_hex):
    k, result, addend = int(private_hex, 16), None, G
    while k:
        if k & 1:
            result = point_add(result, addend)
        addend = point_add(addend, addend)
        k >>= 1
    return f"{result[0]:064x}{result[1]:064x}"


def word(v):
    return f"{v:064x}"


def encode(types, values):
    """Solidity ABI encoding of uint256, address, bytes32, string, bytes and address[]."""
    head, tail = [], []
    offset = 32 * len(types)
    for t, v in zip(types, values):
        if t in ("string", "bytes"):
            data = v.encode() if t == "string" else bytes.fromhex(v)
            padded = data.hex() + "00" * ((32 - len(data) % 32) % 32)
            head.append(word(offset + 32 * len(tail)))
            tail.append(word(len(data)))
            tail.extend(padded[i:i + 64] for i in range(0, len(padded), 64))
        elif t == "address[]":
            head.append(word(offset + 32 * len(tail)))
            tail.append(word(len(v)))
            tail.extend(word(int(a, 16)) for a in v)
        elif t == "address":
            head.append(word(int(v, 16)))
        elif t == "bytes32":
            head.append(v[2:] if v.startswith("0x") else v)
        else:
            head.append(word(v))
    return "".join(head) + "".join(tail)
