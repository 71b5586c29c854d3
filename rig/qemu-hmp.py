#!/usr/bin/env python3
"""Send HMP commands to a QEMU monitor socket and print the answers.

usage: qemu-hmp.py SOCKET COMMAND...   e.g. qemu-hmp.py mon.sock 'info registers'
"""
import socket
import sys
import time


def read_until_prompt(s):
    out = b""
    deadline = time.monotonic() + 10
    while not out.endswith(b"(qemu) ") and time.monotonic() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
    return out.decode(errors="replace")


def main():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sys.argv[1])
    read_until_prompt(s)
    for cmd in sys.argv[2:]:
        s.sendall(cmd.encode() + b"\n")
        answer = read_until_prompt(s)
        # The monitor echoes the command line; drop it and the prompt.
        lines = answer.replace("\r", "").split("\n")[1:-1]
        print(f"@@QEMU {cmd}")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
