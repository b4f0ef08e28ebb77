"""Two measured fixes to Rasa 3.6 internals, installed when the Rasa server loads our channels
or our tracker store (bot/tracker_store.py). Both give the same results as Rasa's own code
(tests/test_rasa_patches.py compares them), faster.

1. Rasa checks every action server response with `jsonschema.validate(result, schema)`.
With the jsonschema version Rasa pins (4.17), that call first re-validates the schema
itself against the JSON Schema metaschema, on every response, although the schema is
a constant. Profiling a replica under load (py-spy, docs/benchmarks.md) showed about
30 % of its CPU time there. `install()` keeps the same validation of every response,
with the same error, but builds the validator once.

2. Rasa turns every stored event back into an object with `Event.resolve_by_type(name)`,
which lists every subclass of Event (recursively, with an `inspect.isabstract` check
each) and takes the first whose `type_name` matches: for each event of each tracker
read, on every turn. In a py-spy profile of a long conversation that was a third of the
replica's CPU. `install()` remembers each name's answer from Rasa's own function, so the
class found is the one Rasa finds; unknown names still go to Rasa's function (and fail
the same way). Only a class defined later that Rasa would rank before an already found
one of the same `type_name` could differ; no such class exists in Rasa or here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

_installed = False


@lru_cache(maxsize=1)
def _validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, not per response
    return cls(schema)


def _validate_action_result(self, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


_event_classes: Dict[Text, Any] = {}
_rasa_resolve_by_type = None


def _resolve_event_type(type_name: Text, default: Any = None) -> Any:
    found = _event_classes.get(type_name)
    if found is not None:
        return found
    result = _rasa_resolve_by_type(type_name, default)  # Rasa's own: the answer, or its ValueError
    if result is not None and result is not default:
        _event_classes[type_name] = result
    return result


def install() -> None:
    global _installed, _rasa_resolve_by_type
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = _validate_action_result
    _rasa_resolve_by_type = Event.resolve_by_type
    Event.resolve_by_type = staticmethod(_resolve_event_type)
    _installed = True
