"""What the serving limits cost per request, in process, away from the noise of a shared machine:
uvicorn's httptools protocol and `GuardedHttpTools` (and h11) each parse the same keep-alive
requests over an in-memory transport and answer them from a trivial ASGI app; CPU time per
request, the stacks taking turns over several rounds.

    python -m bench.protocol_overhead --requests 20000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

REQUEST = (b"GET /api/search?q=eau&country=SN HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
           b"User-Agent: bench\r\nAccept: */*\r\nAccept-Encoding: gzip, br, zstd\r\n"
           b"Connection: keep-alive\r\n\r\n")


async def app(scope: dict, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", b"11")]})
    await send({"type": "http.response.body", "body": b'{"total":0}'})


class Transport(asyncio.Transport):
    """Collects what the protocol writes; wakes the bench when an answer is complete."""

    def __init__(self) -> None:
        super().__init__()
        self.answered = asyncio.Event()
        self.closing = False

    def write(self, data: bytes) -> None:  # type: ignore[override]
        if data.endswith(b"}"):
            self.answered.set()

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def one_run(protocol_class: type, n: int) -> float:
    """CPU seconds per request for `n` keep-alive requests on one connection."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    config = Config(app=app, lifespan="off", log_level="error", access_log=False)
    config.load()
    state = ServerState()
    protocol = protocol_class(config=config, server_state=state, app_state={},
                              _loop=asyncio.get_running_loop())
    transport = Transport()
    protocol.connection_made(transport)
    started = time.process_time()
    for _ in range(n):
        transport.answered.clear()
        protocol.data_received(REQUEST)
        await transport.answered.wait()
    spent = time.process_time() - started
    protocol.connection_lost(None)
    return spent / n


def main(argv: Sequence[str] | None = None) -> int:
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from search_app.web.serving import GuardedHttpTools

    p = argparse.ArgumentParser(prog="python -m bench.protocol_overhead", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    stacks = {"httptools": HttpToolsProtocol, "guarded": GuardedHttpTools, "h11": H11Protocol}
    runs: dict[str, list[float]] = {name: [] for name in stacks}
    for r in range(args.rounds):
        order = list(stacks) if r % 2 == 0 else list(stacks)[::-1]
        for name in order:
            runs[name].append(asyncio.run(one_run(stacks[name], args.requests)))
    report = {name: {"us_per_request_median": round(statistics.median(v) * 1e6, 2),
                     "us_per_request_min": round(min(v) * 1e6, 2)} for name, v in runs.items()}
    base = report["httptools"]["us_per_request_min"]
    for row in report.values():
        row["added_us_vs_httptools"] = round(row["us_per_request_min"] - base, 2)
    print(json.dumps({"requests": args.requests, "rounds": args.rounds, "stacks": report},
                      indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
