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


def hmp(path, commands):
    """Run COMMANDS on the monitor at PATH; return their answers in order."""
    answers = []
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        read_until_prompt(s)
        for cmd in commands:
            s.sendall(cmd.encode() + b"\n")
            # The monitor echoes the command line; drop it and the prompt.
            lines = read_until_prompt(s).replace("\r", "").split("\n")[1:-1]
            answers.append("\n".join(lines))
    return answers


def main():
    cmds = sys.argv[2:]
    for cmd, answer in zip(cmds, hmp(sys.argv[1], cmds)):
        print(f"@@QEMU {cmd}")
        print(answer)


if __name__ == "__main__":
    main()
