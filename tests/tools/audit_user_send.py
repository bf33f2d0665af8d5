#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""audit_user_send.py TYPE TEXT - send one user-space audit message.

What any process with CAP_AUDIT_WRITE can do (container runtimes grant it
by default): an AUDIT_* netlink message of a user type (1005, 1100-1199,
2100-2999) whose payload the kernel logs raw inside msg='...'.  TYPE is a
number; TEXT is sent as it is.  Exits 0 when the kernel acknowledged it.
"""
import os
import socket
import struct
import sys

NETLINK_AUDIT = 9
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2


def main():
    typ, text = int(sys.argv[1]), sys.argv[2].encode()
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_AUDIT)
    payload = text + b"\0"
    hdr = struct.pack("=IHHII", 16 + len(payload), typ, NLM_F_REQUEST | NLM_F_ACK, 1, 0)
    s.sendto(hdr + payload + b"\0" * (-len(payload) % 4), (0, 0))
    s.settimeout(2)
    ack = s.recv(4096)
    _ln, t = struct.unpack("=IH", ack[:6])
    if t == NLMSG_ERROR:
        err = struct.unpack("=i", ack[16:20])[0]
        if err:
            print("audit_user_send: %s" % os.strerror(-err), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
