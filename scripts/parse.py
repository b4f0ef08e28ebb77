#!/usr/bin/env python
"""Show how the trained model reads messages: intent, ranking and the situation frame's entities.

.venv/bin/python scripts/parse.py "my ex posted my address" ["another message" ...]
"""

import asyncio
import sys
from pathlib import Path

from rasa.core.agent import Agent

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
MODEL = Path(__file__).resolve().parent.parent / "models" / "current.tar.gz"


async def main(texts):
    agent = Agent.load(str(MODEL))
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = ", ".join(f"{r['name']} {r['confidence']:.2f}" for r in parsed.get("intent_ranking", [])[:4])
        print(f"\n{text[:100]}\n  intent: {parsed['intent']['name']} ({ranking})")
        for entity in parsed.get("entities", []):
            span = text[entity.get("start", 0) : entity.get("end", 0)][:50]
            extra = f" role={entity['role']}" if entity.get("role") else ""
            print(f"  {entity['entity']}={entity['value']}{extra} {entity.get('confidence_entity', '')} <{span}>")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:] or [line.strip() for line in sys.stdin if line.strip()]))
