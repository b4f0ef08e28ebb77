"""Conversation retention: delete conversations idle for longer than the retention period.

    python -m bot.retention purge [--endpoints deploy/endpoints.yml] [--older-than-days 30]

The period defaults to TRACKER_RETENTION_DAYS (bot/config.py: 30). A conversation is deleted whole,
once its latest event is older than the cutoff; deleting single old events would
leave broken trackers. Run it daily (deploy/ has a CronJob and a compose service).
In-memory stores keep nothing past a restart; Redis stores expire records themselves
(`record_exp`), so for those there is nothing to purge.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import List, Optional

from bot.config import Settings, settings
from bot.privacy import _unwrap

logger = logging.getLogger(__name__)
DEFAULT_DAYS: int = Settings.tracker_retention_days


def retention_days() -> int:
    """TRACKER_RETENTION_DAYS, or its default (bot/config.py)."""
    return settings().tracker_retention_days


def purge_store(tracker_store, older_than_days: int, now: Optional[float] = None) -> int:
    """Delete idle conversations from a tracker store; returns how many were deleted."""
    store = _unwrap(tracker_store)
    cutoff = (now or time.time()) - older_than_days * 86400
    if type(store).__name__ != "SQLTrackerStore":
        logger.info("retention: %s needs no purge", type(store).__name__)
        return 0
    from sqlalchemy import func

    event = store.SQLEvent
    with store.session_scope() as session:
        idle = session.query(event.sender_id).group_by(event.sender_id).having(func.max(event.timestamp) < cutoff).all()
        senders = [row[0] for row in idle]
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            session.query(event).filter(event.sender_id.in_(chunk)).delete(synchronize_session=False)
        session.commit()
    logger.info("retention: deleted %d conversations idle for more than %d days", len(senders), older_than_days)
    return len(senders)


def _store(endpoints: Path):
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    return TrackerStore.create(read_endpoint_config(str(endpoints), "tracker_store"))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.retention", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    purge = sub.add_parser("purge", help="delete conversations idle for longer than the retention period")
    purge.add_argument("--endpoints", type=Path, default=Path("deploy/endpoints.yml"))
    purge.add_argument(
        "--older-than-days", type=int, default=None, help=f"default: TRACKER_RETENTION_DAYS or {DEFAULT_DAYS}"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    days = args.older_than_days if args.older_than_days is not None else retention_days()
    if days < 1:
        parser.error("--older-than-days must be at least 1")
    store = _store(args.endpoints)
    deleted = purge_store(store, days)
    print(f"deleted {deleted} conversations idle for more than {days} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
