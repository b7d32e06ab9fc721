"""A throwaway local Chroma server (``chroma run``) for benchmarking the HTTP mode."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import UserError

log = logging.getLogger(__name__)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chroma_cli() -> str:
    """The ``chroma`` executable of this environment (next to the running Python first)."""
    beside = Path(sys.executable).with_name("chroma")
    found = str(beside) if beside.is_file() else shutil.which("chroma")
    if not found:
        raise UserError("The chroma command is missing. Install it with: pip install chromadb")
    return found


@contextmanager
def chroma_server(path: Path, timeout: float = 60.0) -> Iterator[str]:
    """Run ``chroma run`` on a free local port with its data in ``path``; yields its URL.

    The server process (started here) is stopped when the block ends.
    """
    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    log_file = (path.parent / f"{path.name}.log").open("wb")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    cmd = [chroma_cli(), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)]
    proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise UserError(
                    f"chroma run exited with code {proc.returncode}; see {log_file.name}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise UserError(
                        f"chroma run did not listen on port {port} in {timeout:.0f}s"
                    ) from None
                time.sleep(0.2)
        log.info("chroma server on port %d (pid %d)", port, proc.pid)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_file.close()
