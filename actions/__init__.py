"""Rasa SDK actions: thin adapters from a tracker to bot.answers and back.

Split by concern: harms (what happened), reporting (where to report, offences,
numbers, people to talk to), guidance (topics, escalation, recording), places
(where the person and the harasser are, cross-border routes), reference (a
volunteer's quick question) and fallback (clarify when unsure).
"""
from actions.fallback import ActionClarify
from actions.guidance import ActionEscalation, ActionGuidance, ActionRecording
from actions.harms import ActionHarm
from actions.places import ActionLocation, ActionRoute
from actions.reference import ActionReference
from actions.reporting import ActionEmergencyNumber, ActionOffence, ActionReport, ActionTalkToSomeone

__all__ = [
    "ActionClarify", "ActionEmergencyNumber", "ActionEscalation", "ActionGuidance", "ActionHarm",
    "ActionLocation", "ActionOffence", "ActionRecording", "ActionReference", "ActionReport", "ActionRoute",
    "ActionTalkToSomeone",
]
