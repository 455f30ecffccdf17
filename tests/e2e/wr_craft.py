#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""wr_craft.py: crafted WireGuard packets for the gateway's e2e tests (scapy).

Run it inside a namespace, with Debian's /usr/bin/python3 (its python3-scapy):

  wr_craft.py garbage DST PORT [--sport N]
      unauthenticated junk to DST:PORT: random payloads, every message type truncated by one
      byte and grown by one byte, unknown types, nonzero reserved bytes, data messages shorter
      than a header and tag, data for receiver indexes nobody gave out, an oversized data
      message (IP fragments); prints "sent N"
  wr_craft.py initiation DST PORT --pub KEY [--mac1 good|bad] [--count N] [--sport N]
      handshake initiations of the right length with random contents: mac1 computed for KEY
      (the responder's public key, base64) and every byte after it garbage (good), or a wrong
      mac1 (bad)
  wr_craft.py replay PCAP IFACE [--types 1,4]
      send again, as they were captured, every frame of PCAP that carries a WireGuard message
      of those types (default: data messages, 4); prints "replayed N"
  wr_craft.py count PCAP [--type T]
      print how many frames of PCAP carry a WireGuard message (of type T)
  wr_craft.py udp-sums PCAP [--type T]
      for the frames of PCAP that carry a WireGuard message (of type T), print how many have a
      UDP checksum of zero ("none", IPv4 only), a right one and a wrong one: "zero Z good G bad B"
  wr_craft.py sent-by PCAP ADDR [-v]
      print how many IP packets in PCAP come from ADDR, neighbour discovery aside (a capture
      on the gateway's WAN link proves it answered nothing); -v lists them on stderr

DST may be IPv4 or IPv6; garbage and initiations leave through a UDP socket (the kernel routes
and fragments), captures are read and replayed with scapy. Nothing here waits for an answer:
the tests capture what comes back.
"""

import argparse
import base64
import hashlib
import os
import random
import socket
import sys


def load_scapy():
    """scapy, imported when a capture is read or replayed (it takes a while to load)."""
    import scapy.all

    scapy.all.conf.verb = 0
    return scapy.all

MSG_INITIATION, MSG_RESPONSE, MSG_COOKIE, MSG_DATA = 1, 2, 3, 4
LENGTHS = {MSG_INITIATION: 148, MSG_RESPONSE: 92, MSG_COOKIE: 64}
DATA_MIN = 32  # header 16 + tag 16 (a keepalive)


def header(msg_type, reserved=b"\0\0\0"):
    return bytes([msg_type]) + reserved


class Sender:
    """A UDP socket from SPORT to DST:DPORT; the kernel routes, resolves and fragments."""

    def __init__(self, dst, dport, sport):
        fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET:
            # an oversized message leaves as IP fragments instead of failing with EMSGSIZE
            self.sock.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER, IP_PMTUDISC_DONT
        self.sock.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
        self.dst = (dst, dport)
        self.n = 0

    def send(self, payload):
        self.sock.sendto(payload, self.dst)
        self.n += 1


def mac1(pub, msg):
    """mac1 = MAC(HASH(LABEL_MAC1 || Spub_m), msg_alpha), the whitepaper's 5.4.4."""
    key = hashlib.blake2s(b"mac1----" + pub).digest()
    return hashlib.blake2s(msg, key=key, digest_size=16).digest()


def initiation(pub, good_mac1):
    body = header(MSG_INITIATION) + os.urandom(4 + 32 + 48 + 28)
    m1 = mac1(pub, body) if good_mac1 else os.urandom(16)
    if pub is not None and not good_mac1 and m1 == mac1(pub, body):
        m1 = bytes(b ^ 0xFF for b in m1)
    return body + m1 + bytes(16)


def garbage_payloads():
    rnd = random.Random(4242)
    out = []
    for n in (0, 1, 3, 4, 16, 100, 1000):
        out.append(bytes(rnd.getrandbits(8) for _ in range(n)))
    for t, n in LENGTHS.items():
        for size in (n - 1, n + 1, 4):
            out.append(header(t) + os.urandom(size - 4))
        out.append(header(t, b"\1\0\0") + os.urandom(n - 4))
    for t in (0, 5, 255):
        out.append(header(t) + os.urandom(144))
    for size in (4, 16, DATA_MIN - 1):
        out.append(header(MSG_DATA) + os.urandom(size - 4))
    out.append(header(MSG_DATA, b"\0\0\1") + os.urandom(60))
    for _ in range(4):
        # a well-formed data message for a receiver index nobody handed out
        out.append(header(MSG_DATA) + os.urandom(12) + os.urandom(16 + 64))
    # a response and a cookie reply of the right length for unknown indexes
    out.append(header(MSG_RESPONSE) + os.urandom(LENGTHS[MSG_RESPONSE] - 4))
    out.append(header(MSG_COOKIE) + os.urandom(LENGTHS[MSG_COOKIE] - 4))
    return out


def cmd_garbage(a):
    s = Sender(a.dst, a.port, a.sport)
    for p in garbage_payloads():
        s.send(p)
    # oversized: more than a 1500-byte link carries, so it comes as IP fragments
    s.send(header(MSG_DATA) + os.urandom(3000))
    print("sent", s.n)


def cmd_initiation(a):
    pub = base64.b64decode(a.pub)
    if len(pub) != 32:
        sys.exit("wr_craft.py: --pub is not a WireGuard public key")
    s = Sender(a.dst, a.port, a.sport)
    for _ in range(a.count):
        s.send(initiation(pub, a.mac1 == "good"))
    print("sent", s.n)


def wg_type(frame):
    udp = load_scapy().UDP
    if udp not in frame:
        return None
    payload = bytes(frame[udp].payload)
    if len(payload) < 4 or payload[1:4] != b"\0\0\0":
        return None
    return payload[0]


def cmd_replay(a):
    types = {int(t) for t in a.types.split(",")}
    sc = load_scapy()
    frames = [f for f in sc.rdpcap(a.pcap) if wg_type(f) in types]
    for f in frames:
        sc.sendp(f, iface=a.iface)
    print("replayed", len(frames))


def cmd_count(a):
    n = 0
    for f in load_scapy().rdpcap(a.pcap):
        t = wg_type(f)
        if t is not None and (a.type is None or t == a.type):
            n += 1
    print(n)


def cmd_udp_sums(a):
    sc = load_scapy()
    zero = good = bad = 0
    for f in sc.rdpcap(a.pcap):
        t = wg_type(f)
        if t is None or (a.type is not None and t != a.type):
            continue
        ip = f[sc.IPv6] if sc.IPv6 in f else f[sc.IP]
        got = f[sc.UDP].chksum
        if got == 0:
            zero += 1
            continue
        # scapy computes the checksum again when the field is unset
        again = ip.copy()
        del again[sc.UDP].chksum
        want = type(again)(bytes(again))[sc.UDP].chksum
        if got == want:
            good += 1
        else:
            bad += 1
    print("zero", zero, "good", good, "bad", bad)


def cmd_sent_by(a):
    """IP packets from ADDR in PCAP: everything but neighbour discovery (ARP is not IP)."""
    sc = load_scapy()
    nd = (sc.ICMPv6ND_NS, sc.ICMPv6ND_NA, sc.ICMPv6ND_RS, sc.ICMPv6ND_RA)
    n = 0
    for f in sc.rdpcap(a.pcap):
        ip = f[sc.IPv6] if sc.IPv6 in f else f[sc.IP] if sc.IP in f else None
        if ip is None or ip.src != a.addr or any(layer in f for layer in nd):
            continue
        n += 1
        if a.verbose:
            print(f.summary(), file=sys.stderr)
    print(n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("garbage")
    g.add_argument("dst")
    g.add_argument("port", type=int)
    g.add_argument("--sport", type=int, default=40000)
    i = sub.add_parser("initiation")
    i.add_argument("dst")
    i.add_argument("port", type=int)
    i.add_argument("--pub", required=True)
    i.add_argument("--mac1", choices=("good", "bad"), default="bad")
    i.add_argument("--count", type=int, default=1)
    i.add_argument("--sport", type=int, default=40001)
    r = sub.add_parser("replay")
    r.add_argument("pcap")
    r.add_argument("iface")
    r.add_argument("--types", default="4")
    c = sub.add_parser("count")
    c.add_argument("pcap")
    c.add_argument("--type", type=int)
    u = sub.add_parser("udp-sums")
    u.add_argument("pcap")
    u.add_argument("--type", type=int)
    b = sub.add_parser("sent-by")
    b.add_argument("pcap")
    b.add_argument("addr")
    b.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    {"garbage": cmd_garbage, "initiation": cmd_initiation, "replay": cmd_replay,
     "count": cmd_count, "udp-sums": cmd_udp_sums, "sent-by": cmd_sent_by}[a.cmd](a)


if __name__ == "__main__":
    main()
