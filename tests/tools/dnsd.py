#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""dnsd.py - a DNS responder on 127.0.0.1:53 for one name, for tests.

  dnsd.py NAME [ADDR]

Answers A queries for NAME with ADDR (default 127.0.0.1), every other
query with no answer (NOERROR, empty): enough for glibc's resolver, whose
A and AAAA queries go out together (sendmmsg) and whose answers it sizes
with ioctl(FIONREAD).  Loopback only; stdlib only; runs until killed.
"""

import socket
import struct
import sys


def main():
    name = sys.argv[1].lower().encode()
    addr = socket.inet_aton(sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    while True:
        q, peer = s.recvfrom(512)
        if len(q) < 17:
            continue
        tid = struct.unpack(">H", q[:2])[0]
        i, labels = 12, []
        while i < len(q) and q[i]:
            labels.append(q[i + 1:i + 1 + q[i]])
            i += 1 + q[i]
        if i + 5 > len(q):
            continue
        qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
        ok = b".".join(labels).lower() == name and qtype == 1
        hdr = struct.pack(">HHHHHH", tid, 0x8180, 1, 1 if ok else 0, 0, 0)
        ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + addr if ok else b""
        s.sendto(hdr + q[12:i + 5] + ans, peer)


if __name__ == "__main__":
    main()
