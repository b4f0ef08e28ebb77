"""Rasa's LogisticRegressionClassifier, scoring without copying its weights each message.

The same classifier, trained and stored the same way; only its weight matrix is kept
column-major once loaded (see `column_major`), which scipy otherwise copies for every
message it scores.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.frame_model import column_major


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentLogisticRegression(LogisticRegressionClassifier):
    """What kind of turn a message is (describe_harm, ask_report, inform_location...)."""

    def process(self, messages: List[Message]) -> List[Message]:
        column_major(self.clf)
        return super().process(messages)
