"""The input limits, defined once: every channel and every reader of a message uses these.

- MAX_MESSAGE_CHARS: the longest message a channel accepts (REST, the widget, SMS, WhatsApp);
  the NLU and the safety net read every character of it, so a despairing last sentence of a
  long message is never cut off. Longer bodies are refused with a clear error (413).
- SENDER: a conversation id a channel accepts from a client (REST).
- UNGUESSABLE_SENDER: the widget's ids, random and long enough that nobody can guess another
  person's (quick exit deletes by id).
- MAX_IN_FLIGHT: messages one sender may have waiting at once; beyond it, 429 at once.
"""

import re

MAX_MESSAGE_CHARS = 200_000
SENDER = re.compile(r"^[\w.:@+-]{1,128}$")
UNGUESSABLE_SENDER = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
MAX_IN_FLIGHT = 4  # a person typing fast sends a few; a thousand is not a person
