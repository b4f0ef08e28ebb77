#!/usr/bin/env python
"""First replies as the SMS channel really sends them: segments per reply over a case file.

    .venv/bin/python scripts/sms_eval.py --cases tests/e2e/cases.yml --actions http://127.0.0.1:5055/webhook

The trained model runs in this process (models/current.tar.gz) with the action server given;
each case's first message goes through the SMS channel's own output (bot/channels/sms.py:
rendering within the channel's budget, numbered options, packing), with Twilio's send replaced
by a counter. A case's figure is the segments of every SMS body the person receives for that
one message (GSM-7: 160 characters alone, 153 a part; otherwise UCS-2: 70 and 67).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import statistics
import sys
import uuid
from pathlib import Path
from typing import List

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rasa.core.agent import Agent  # noqa: E402
from rasa.core.channels.channel import UserMessage  # noqa: E402
from rasa.utils.common import configure_logging_and_warnings  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402
from rasa.utils.log_utils import configure_structlog  # noqa: E402

from bot.channels.sms import TwilioSmsOutput  # noqa: E402
from bot.channels.twilio_text import is_gsm7  # noqa: E402

# The safety responses' first words (domain.yml): danger, own despair, words said to the person.
SAFETY_OPENINGS = ("Your safety comes first", "I'm really glad you told me", "I'm so sorry people are saying")


class CountingOutput(TwilioSmsOutput):
    """The SMS channel's output with the send to Twilio replaced by keeping the body."""

    def __init__(self) -> None:
        super().__init__("AC" + "0" * 32, "token", "+15005550006", "+61400000000")
        self.bodies: List[str] = []

    async def _send(self, body: str) -> None:
        if body:
            self.bodies.append(body)


def segments(body: str) -> int:
    single, part = (160, 153) if is_gsm7(body) else (70, 67)
    length = len(body) if is_gsm7(body) else len(body.encode("utf-16-le")) // 2
    return 1 if length <= single else math.ceil(length / part)


def first_message(case: dict) -> str:
    turn = case["turns"][0]
    return turn if isinstance(turn, str) else turn["say"]


async def main(cases_path: Path, actions: str, model: Path) -> int:
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    cases = yaml.safe_load(cases_path.read_text(encoding="utf-8"))
    agent = Agent.load(str(model), action_endpoint=EndpointConfig(actions))
    counts: List[int] = []
    over = []
    safety = 0
    for case in cases:
        out = CountingOutput()
        await agent.handle_message(UserMessage(first_message(case), out, f"sms-eval-{uuid.uuid4().hex}"))
        await out.flush()
        total = sum(segments(b) for b in out.bodies)
        counts.append(total)
        if total > 3:
            over.append((case["id"], total, len(out.bodies)))
            safety += any(b.startswith(SAFETY_OPENINGS) for b in out.bodies)
    ordered = sorted(counts)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    median = statistics.median(counts)
    print(f"{len(counts)} first replies over SMS: segments p50 {median:g}, p90 {p90}, max {max(counts)}")
    print(f"more than 3 segments: {len(over)}, of which {safety} open with a safety message")
    print("  " + ", ".join(f"{i} {n} in {m} SMS" for i, n, m in over[:10]))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=ROOT / "tests" / "e2e" / "cases.yml")
    parser.add_argument("--actions", default="http://127.0.0.1:5055/webhook")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.cases, args.actions, args.model)))
