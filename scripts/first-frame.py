#!/usr/bin/env python3
"""Start-to-first-frame of the booth (DESIGN §7: <= 300 ms).

Runs the real binary on a pseudo-terminal 7 times and measures, for each run,
the time from exec to the sign-in screen's first bytes on the terminal.

usage: scripts/first-frame.py BOOTH_BINARY CONFIG_TOML
"""
import os, pty, select, signal, sys, time

binary, config = sys.argv[1], sys.argv[2]
runs = []
for _ in range(7):
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(binary, [binary, "--config", config])
    buf = b""
    while b"SIGN IN" not in buf:
        ready, _, _ = select.select([fd], [], [], 5)
        if not ready:
            sys.exit("no sign-in screen within 5 s; output so far: %r" % buf[-400:])
        try:
            buf += os.read(fd, 65536)
        except OSError:
            sys.exit("booth exited before drawing: %r" % buf[-400:])
    runs.append((time.monotonic() - t0) * 1000)
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
runs.sort()
print("start to first frame, ms:", " ".join("%.0f" % r for r in runs), "| median %.0f | max %.0f" % (runs[len(runs) // 2], runs[-1]))
