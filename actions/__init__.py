"""Rasa SDK actions: thin adapters from a tracker to the composer and back.

- `action_answer` (answer.py): reads the situation frame from the slots and the latest
  message, composes the reply (bot/compose.py) and remembers the frame in slots;
- `validate_harasser_place_form` (forms.py): "which country are they in?";
- `action_clarify` (fallback.py): a kind clarifying question when nothing was understood.
"""

from actions.answer import ActionAnswer
from actions.fallback import ActionClarify
from actions.forms import ValidateHarasserPlaceForm

__all__ = ["ActionAnswer", "ActionClarify", "ValidateHarasserPlaceForm"]
