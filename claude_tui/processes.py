"""Whether the process that noted a call in flight is still running.

A process id alone cannot say: in a container every run may be pid 1, and a
pid is reused once its process is gone. The id, with the host, the boot and the
moment the process started, names one process for good; where /proc cannot be
read (macOS) the pid is all there is.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

PROC = Path("/proc")
# A note from another host (another container on a shared data folder) cannot be
# checked; it is left alone this long before it is booked as abandoned.
FOREIGN_AFTER_S = 24 * 3600


def identity(pid: int) -> str:
    """``host:boot:start`` for a running process, or ``host`` where /proc says nothing."""
    host = socket.gethostname()
    try:
        boot = (PROC / "sys/kernel/random/boot_id").read_text().strip()
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return host
    start = stat.rsplit(")", 1)[1].split()[19]  # field 22, the start time in clock ticks
    return f"{host}:{boot}:{start}"


def running(pid: int, noted: str, age_s: float) -> bool:
    """Whether the process that wrote a note (``pid``, ``identity`` ``noted``) still runs."""
    host = noted.split(":", 1)[0]
    if host != socket.gethostname():
        return age_s < FOREIGN_AFTER_S
    if ":" in noted:
        return identity(pid) == noted
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
