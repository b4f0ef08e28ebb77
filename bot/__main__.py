"""`python -m bot ...`: the volunteer's reference tool (see bot/cli.py)."""

import sys

from bot.cli import run

sys.exit(run())
