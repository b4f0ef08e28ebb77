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
        self.harm_models = {}
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

    def best_harm(self, text: str, pieces: Optional[List[Piece]] = None) -> Optional[Found]:
        """The likeliest harm whatever its score: for a message surely telling of harm (the intent
        classifier says so) in which no harm reached its threshold."""
        pieces = pieces if pieces is not None else self.pieces(text)
        if not pieces or not self.harm_models:
            return None
        x = self._features(p.text for p in pieces)
        best = None
        for harm, model in self.harm_models.items():
            scores = model.predict_proba(x)[:, 1]
            i = int(np.argmax(scores))
            if best is None or scores[i] > best.score:
                best = Found(harm, float(scores[i]), pieces[i])
        return best

    def read_harms(self, text: str, pieces: Optional[List[Piece]] = None) -> List[Found]:
        """Each harm present, most confident first, with the piece that showed it best."""
        pieces = pieces if pieces is not None else self.pieces(text)
        if not pieces or not self.harm_models:
            return []
        x = self._features(p.text for p in pieces)
        # A short clause ("should I just pay?") says little on its own: it needs more certainty.
        short = np.array([len(p.text.split()) <= SHORT_CLAUSE and p is not pieces[-1] for p in pieces])
        found = []
        for harm, model in self.harm_models.items():
            threshold = self.harm_thresholds.get(harm, self.harm_threshold)
            needed = np.where(short, max(threshold, SHORT_CLAUSE_THRESHOLD), threshold)
            margin = model.predict_proba(x)[:, 1] - needed
            best = int(np.argmax(margin))
            if margin[best] >= 0:
                found.append(Found(harm, float(margin[best] + needed[best]), pieces[best]))
        return sorted(found, key=lambda f: -f.score)

    def read_asks(self, text: str, pieces: Optional[List[Piece]] = None) -> List[Found]:
        """Each question asked, in the order asked (clauses only, not the whole message)."""
        pieces = [p for p in (pieces if pieces is not None else self.pieces(text))]
        if len(pieces) > 1:
            pieces = pieces[:-1]  # the last piece is the whole message; judge the clauses
        if not pieces or self.ask_model is None:
            return []
        probabilities = self.ask_model.predict_proba(self._features(p.text for p in pieces))
        classes = list(self.ask_model.classes_)
        found: Dict[str, Found] = {}
        for piece, row in zip(pieces, probabilities, strict=False):
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
        return cls(**state)
