"""What the load clients (scripts/bench.py, scripts/bench_long.py) share: one timed REST turn."""

from __future__ import annotations

import asyncio
import time
from typing import List, Optional

import aiohttp


async def timed_turn(
    session: aiohttp.ClientSession, url: str, sender: str, message: str, errors: List[str]
) -> Optional[float]:
    """POST one message; its latency in ms, or None (and the error kind in `errors`) when it failed."""
    start = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": message}) as response:
            body = await response.json(content_type=None)
            if response.status != 200 or not body:
                errors.append(f"HTTP {response.status}" if response.status != 200 else "empty reply")
                return None
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        errors.append(type(error).__name__)
        return None
    return (time.perf_counter() - start) * 1000


def load_average() -> float:
    """The 1-minute load average (the machine is shared: figures are only as quiet as it was)."""
    try:
        with open("/proc/loadavg") as handle:
            return float(handle.read().split()[0])
    except OSError:
        return float("nan")
