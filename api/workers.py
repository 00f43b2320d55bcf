"""Several server processes on one port, forked from one that has built what they share.

`stackgraph serve --workers N` builds the application once (every import, the GraphQL schema,
the caches' empty shells) in a supervising process, binds the socket, then forks N workers. A
worker inherits those pages copy-on-write instead of importing and building them again, as a
spawned process would (about 100 MiB each); the graph itself is shared through the projection
file each worker maps (`stackgraph.graph.projections`). Each worker runs the application's
lifespan on its own: it opens the store, maps the current version and watches for the next.

Nothing that starts threads runs in the supervisor before it forks: the store is opened only
in the workers, and the supervisor's own check that it can be opened runs in a short-lived
child (a storage engine's background threads do not survive a fork).

The supervisor replaces a worker that dies while serving (a crash, an out-of-memory kill), stops
every worker when one fails its start (exit 3, as uvicorn does), and on SIGTERM or SIGINT asks
each worker to finish what it is answering, then exits 0.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

__all__ = ["in_child", "serve_workers"]

log = logging.getLogger("uvicorn.error")

GRACE_S = 30.0
"""How long stopping workers may take to finish their requests before they are killed."""
_POLL_S = 0.1
_RESPAWN_PAUSE_S = 1.0
"""A worker that dies within this long of its start is replaced only after this pause, so a
fault that kills every worker at once does not become a busy loop of forks."""


def in_child(work: Callable[[], int]) -> int:
    """Run `work` in a forked child and return its exit code: for a check that opens the store
    without leaving the storage engine's threads behind in this process."""
    _flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = 70  # EX_SOFTWARE, if `work` raised something it does not map to a code
        try:
            code = work()
        finally:
            _flush()
            os._exit(code)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return 128 - code if code < 0 else code  # killed by a signal: as a shell reports it


def serve_workers(
    app: Any, *, host: str, port: int, workers: int, log_level: str, **config: Any
) -> int:
    """Serve `app` from `workers` forked processes until SIGTERM or SIGINT; the exit code."""
    cfg = uvicorn.Config(app, host=host, port=port, log_level=log_level, **config)
    sock = cfg.bind_socket()
    # What the workers inherit leaves the collector's view, so their collections do not write
    # to (and so copy) the shared pages of every object built so far.
    gc.collect()
    gc.freeze()
    supervisor = _Supervisor(cfg, sock, workers)
    try:
        return supervisor.run()
    finally:
        sock.close()


class _Supervisor:
    def __init__(self, config: uvicorn.Config, sock: Any, workers: int) -> None:
        self.config = config
        self.sock = sock
        self.workers = workers
        self.children: dict[int, float] = {}  # pid -> when it was forked
        self.stopping = False

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        log.info("Started parent process [%d]; %d workers", os.getpid(), self.workers)
        try:
            for _ in range(self.workers):
                self._fork()
            code = self._supervise()
        finally:
            self._shutdown()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("Stopped parent process [%d]", os.getpid())
        return code

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _fork(self) -> None:
        _flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the worker
            code = 0
            try:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(sig, signal.SIG_DFL)
                server = uvicorn.Server(self.config)
                server.run(sockets=[self.sock])
                code = 0 if server.started else STARTUP_FAILURE
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else STARTUP_FAILURE
            except BaseException:
                log.exception("worker [%d] failed", os.getpid())
                code = STARTUP_FAILURE
            finally:
                _flush()
                os._exit(code)
        self.children[pid] = time.monotonic()

    def _supervise(self) -> int:
        while not self.stopping:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid == 0 or pid not in self.children:
                time.sleep(_POLL_S)
                continue
            started = self.children.pop(pid)
            code = os.waitstatus_to_exitcode(status)
            if self.stopping:
                break
            if code == STARTUP_FAILURE:
                log.error("worker [%d] could not start; stopping", pid)
                return STARTUP_FAILURE
            log.warning("worker [%d] exited (%s); starting another", pid, _how(code))
            if time.monotonic() - started < _RESPAWN_PAUSE_S:
                time.sleep(_RESPAWN_PAUSE_S)
            self._fork()
        return 0

    def _shutdown(self) -> None:
        """SIGTERM to every worker (each finishes its requests), SIGKILL after `GRACE_S`."""
        for pid in self.children:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_S
        while self.children and time.monotonic() < deadline:
            for pid in list(self.children):
                if _reaped(pid):
                    del self.children[pid]
            time.sleep(_POLL_S)
        for pid in self.children:
            log.warning("worker [%d] did not stop in %.0f s; killed", pid, GRACE_S)
            _signal(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self.children.clear()


def _reaped(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _how(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
