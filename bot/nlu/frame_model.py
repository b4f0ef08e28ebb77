"""The trained part of the situation frame: which harms a text describes, and what it asks.

Rasa-free, so the NLU component (bot/nlu/components.py) and the cross-validation report
(scripts/frame_crossval.py) train and judge exactly the same model.

- Harms are multi-label: one binary logistic regression per harm (one-vs-rest) over word
  (1-2) and character (2-5) n-grams. A message can describe several harms; a binary
  classifier per harm lets each be present or absent on its own, which a single intent
  can't. Each clause is scored, and so is the whole message: a harm is present when any
  piece scores above its threshold, and the piece that scored best is where it was said.
- Asks are the questions inside a message ("where do I report", "how do I keep evidence"):
  a multi-class logistic regression over the ask intents plus "none", applied clause by
  clause, so a message asking two things is answered on both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from scipy.sparse import hstack
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.nlu.text import Piece, clauses, clean

NONE = "none"
SHORT_CLAUSE, SHORT_CLAUSE_THRESHOLD = 5, 0.75  # words; the score a clause this short needs


@dataclass
class Found:
    label: str
    score: float
    piece: Piece


@dataclass
class Reading:
    """What one message says: the harms above their thresholds (most confident first), the
    likeliest harm whatever its score (`best`, only when asked for: a message the intent
    classifier is sure tells of harm, in which no harm reached its threshold), and the asks
    in the order asked."""

    harms: List[Found]
    best: Optional[Found]
    asks: List[Found]


def column_major(model: LogisticRegression) -> LogisticRegression:
    """Scikit-learn scores with `x @ coef_.T`; for a sparse `x`, scipy copies a row-major
    `coef_.T` (the whole matrix, several MB) on every call to make it contiguous. Stored
    column-major, `coef_.T` is contiguous already; the scores are the same. For the ask model
    that takes scoring a message from about 0.6 ms to 0.05 ms."""
    coef = getattr(model, "coef_", None)
    if coef is not None and not coef.flags.f_contiguous:
        model.coef_ = np.asfortranarray(coef)
    return model


def _vectorizers() -> Tuple[TfidfVectorizer, TfidfVectorizer]:
    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True, token_pattern=r"(?u)\b\w+\b"
    )
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True, min_df=2)
    return words, chars


@dataclass
class FrameModel:
    harm_threshold: float = 0.5
    ask_threshold: float = 0.55
    harm_thresholds: Dict[str, float] = field(default_factory=dict)  # per harm, from cross-validation
    random_state: int = 42
    harms: List[str] = field(default_factory=list)
    asks: List[str] = field(default_factory=list)
    words: Optional[TfidfVectorizer] = None
    chars: Optional[TfidfVectorizer] = None
    harm_models: Dict[str, LogisticRegression] = field(default_factory=dict)
    ask_model: Optional[LogisticRegression] = None
    _stacked: Optional[Tuple[np.ndarray, np.ndarray]] = field(default=None, init=False, repr=False, compare=False)

    # -- training ------------------------------------------------------------------------

    def fit(
        self, harm_examples: Sequence[Tuple[str, Sequence[str]]], ask_examples: Sequence[Tuple[str, str]]
    ) -> "FrameModel":
        """harm_examples: (text, harm ids, possibly none); ask_examples: (text, ask intent or NONE)."""
        texts = [clean(t) for t, _ in harm_examples] + [clean(t) for t, _ in ask_examples]
        self.words, self.chars = _vectorizers()
        self.words.fit(texts)
        self.chars.fit(texts)
        x_harm = self._features([clean(t) for t, _ in harm_examples])
        labels = [set(h) for _, h in harm_examples]
        self.harms = sorted({h for hs in labels for h in hs})
        self.harm_models, self._stacked = {}, None
        for harm in self.harms:
            y = np.array([harm in hs for hs in labels], dtype=int)
            if y.sum() == 0 or y.sum() == len(y):
                continue
            model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000, random_state=self.random_state)
            self.harm_models[harm] = model.fit(x_harm, y)
        x_ask = self._features([clean(t) for t, _ in ask_examples])
        y_ask = [a for _, a in ask_examples]
        self.asks = sorted(set(y_ask) - {NONE})
        self.ask_model = LogisticRegression(
            C=10.0, class_weight="balanced", max_iter=2000, random_state=self.random_state
        ).fit(x_ask, y_ask)
        self._column_major()
        return self

    def _features(self, texts: Iterable[str]):
        texts = list(texts)
        return hstack([self.words.transform(texts), self.chars.transform(texts)]).tocsr()

    # -- reading -------------------------------------------------------------------------

    @staticmethod
    def pieces(text: str) -> List[Piece]:
        """The clauses of a message, and the whole message when it has more than one."""
        text = clean(text)
        found = clauses(text)
        if len(found) != 1:
            whole = text.strip()
            if whole:
                start = len(text) - len(text.lstrip())
                found.append(Piece(whole, start, start + len(whole)))
        return found

    def harm_scores(self, x) -> np.ndarray:
        """Every harm's probability for every piece (rows: pieces, columns: `self.harm_models`):
        the one-vs-rest models stacked into one matrix, so a message costs one sparse product
        instead of one per harm. The same numbers as each model's `predict_proba(x)[:, 1]`."""
        if self._stacked is None:
            models = list(self.harm_models.values())
            weights = np.ascontiguousarray(np.vstack([m.coef_[0] for m in models]).T)
            self._stacked = (weights, np.array([m.intercept_[0] for m in models]))
        weights, intercepts = self._stacked
        return expit(np.asarray(x @ weights) + intercepts)

    def read(self, text: str, pieces: Optional[List[Piece]] = None, best_guess: bool = False) -> Reading:
        """The harms and the asks in one message, its features computed once.
        `best_guess`: also the likeliest harm whatever its score (see `Reading.best`)."""
        pieces = pieces if pieces is not None else self.pieces(text)
        if not pieces:
            return Reading([], None, [])
        x = self._features(p.text for p in pieces)
        harms, best = self._harms(pieces, x, best_guess) if self.harm_models else ([], None)
        return Reading(harms, best, self._asks(pieces, x))

    def read_harms(self, text: str, pieces: Optional[List[Piece]] = None) -> List[Found]:
        """Each harm present, most confident first, with the piece that showed it best."""
        return self.read(text, pieces).harms

    def _harms(self, pieces: List[Piece], x, best_guess: bool) -> Tuple[List[Found], Optional[Found]]:
        scores = self.harm_scores(x)
        # A short clause ("should I just pay?") says little on its own: it needs more certainty.
        short = np.array([len(p.text.split()) <= SHORT_CLAUSE and p is not pieces[-1] for p in pieces])
        found = []
        for column, harm in enumerate(self.harm_models):
            threshold = self.harm_thresholds.get(harm, self.harm_threshold)
            needed = np.where(short, max(threshold, SHORT_CLAUSE_THRESHOLD), threshold)
            margin = scores[:, column] - needed
            row = int(np.argmax(margin))
            if margin[row] >= 0:
                found.append(Found(harm, float(margin[row] + needed[row]), pieces[row]))
        best = None
        if best_guess:
            row, column = np.unravel_index(int(np.argmax(scores)), scores.shape)
            best = Found(list(self.harm_models)[column], float(scores[row, column]), pieces[row])
        return sorted(found, key=lambda f: -f.score), best

    def _asks(self, pieces: List[Piece], x) -> List[Found]:
        """Each question asked, in the order asked (clauses only, not the whole message)."""
        if self.ask_model is None:
            return []
        if len(pieces) > 1:  # the last piece is the whole message; judge the clauses
            pieces, x = pieces[:-1], x[:-1]
        probabilities = self.ask_model.predict_proba(x)
        classes = list(self.ask_model.classes_)
        found: Dict[str, Found] = {}
        for piece, row in zip(pieces, probabilities, strict=True):
            best = int(np.argmax(row))
            label, score = classes[best], float(row[best])
            if label != NONE and score >= self.ask_threshold and label not in found:
                found[label] = Found(label, score, piece)
        return list(found.values())

    # -- persistence (plain data and scikit-learn objects, for skops) ----------------------

    def state(self) -> dict:
        return {
            "harm_threshold": self.harm_threshold,
            "ask_threshold": self.ask_threshold,
            "harm_thresholds": dict(self.harm_thresholds),
            "random_state": self.random_state,
            "harms": list(self.harms),
            "asks": list(self.asks),
            "words": self.words,
            "chars": self.chars,
            "harm_models": dict(self.harm_models),
            "ask_model": self.ask_model,
        }

    @classmethod
    def from_state(cls, state: dict) -> "FrameModel":
        model = cls(**state)
        model._column_major()
        return model

    def _column_major(self) -> None:
        if self.ask_model is not None:
            column_major(self.ask_model)
