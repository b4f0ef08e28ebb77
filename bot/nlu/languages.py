"""Danger and despair in the person's own language: detection, a deterministic net, the reply.

A standalone module: the NLU pipeline calls it after the English safety net
(bot/nlu/safety.py), for a message that net did not flag.

- `detect_language(text)`: the message's language, as a code ("pt", "zh", "zh-Hant"),
  or None for English or when unsure. It uses lingua-language-detector (its models ship
  inside the wheel: nothing is downloaded at run time), restricted to the languages we
  answer in plus English and a few close neighbours, so that a short Spanish message is not
  called Catalan. Lingua has no Samoan or Tongan model; for those two (and for romanised
  Hindi and Punjabi, which no detector names) the net's own patterns and a few very common
  words from each language's YAML file (`markers`) decide. Why lingua and not py3langid,
  with figures: scripts/language_eval.py and the note in knowledge/languages.yml.
- `LanguageNet.classify(text)`: LanguageFlag(language, level) where level is "self_harm",
  "danger" or None (None: another language, but nothing alarming found), or None for
  English / unsure. The patterns are short regular expressions, one YAML file per language
  under bot/nlu/safety_languages/<code>.yml, in the style of bot/nlu/safety_patterns.yml:
  recall beats precision (a false alarm costs a line with an emergency number; a miss can
  cost a life). Every language's patterns run on every message, so a despairing message
  is caught even when it is too short for the detector; when two languages' patterns hit,
  the detected language wins.
- `language_reply(kb, language, place)`: Markdown lines: the local emergency and crisis
  numbers (every covered country's when the place is unknown), one or two sentences in
  that language (knowledge/languages.yml, each with a note of who checked it), and the
  interpreter route for the place where an official source names one.

Text is compared after normalisation: NFKC, lower case, typographic apostrophes folded
and, for languages written with Latin, Greek or Arabic letters, accents and vowel marks
removed (people often type "nao quero viver", "toi muon chet", "ou te fia oti"). Patterns
are normalised the same way when they are loaded, so they may be written either way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Pattern, Sequence, Tuple

import yaml

from bot.limits import MAX_MESSAGE_CHARS as MAX_TEXT  # every character any channel accepts is scanned

PATTERNS_DIR = Path(__file__).with_name("safety_languages")
ORDER = ("self_harm", "danger")  # despair first, as in the English net

MIN_CONFIDENCE = 0.4  # lingua's confidence for the top language, below which we say "unsure"
MIN_WORDS = 2  # a single word ("rotorua", "dankie") is a place or a greeting, not a language
MIN_LETTERS = 4  # fewer letters than this: too little to name a language

_APOSTROPHES = str.maketrans({c: None for c in "'\u2019\u2018\u02bb\u02bc`\u00b4"})
# Letters that Unicode does not decompose, and Arabic-script variants typed interchangeably.
_LETTERS = str.maketrans(
    {
        "ł": "l",
        "đ": "d",
        "ø": "o",
        "ħ": "h",
        "ı": "i",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ئ": "ي",
        "ک": "ك",
        "ة": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "ـ": None,
    }
)
_NUKTA = {"\u093c", "\u0a3c"}  # Devanagari and Gurmukhi nukta: typed or not, same word


@dataclass(frozen=True)
class LanguageFlag:
    language: str  # a code from bot/nlu/safety_languages/ ("pt", "zh", "zh-Hant", "sm", ...)
    level: Optional[str]  # "self_harm", "danger", or None: another language, nothing alarming found


def normalise(text: str, fold: bool = True) -> str:
    """The form patterns are matched against (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = unicodedata.normalize("NFD", text)
    if fold:
        text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    else:
        text = "".join(c for c in text if c not in _NUKTA)
    text = unicodedata.normalize("NFC", text).translate(_LETTERS).translate(_APOSTROPHES)
    return " ".join(text.split())


def _normalise_pattern(pattern: str, fold: bool) -> str:
    """A pattern in the same form as the text, without touching regex syntax (no lower-casing:
    re.I does that, and lower-casing would turn \\S into \\s)."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", pattern))
    if fold:
        text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    else:
        text = "".join(c for c in text if c not in _NUKTA)
    return unicodedata.normalize("NFC", text).translate(_LETTERS).translate(_APOSTROPHES)


# -- the patterns ------------------------------------------------------------------------------


@dataclass
class LanguagePatterns:
    code: str
    name: str
    fold: bool
    rules: Dict[str, Tuple[List[Pattern], List[Pattern]]]
    markers: List[Pattern]  # very common words of the language, for detection without a model
    detector: Optional[str]  # lingua's ISO 639-1 code, or None where lingua has no model
    examples: Dict[str, List[str]]
    # The language's own words in this file (patterns, markers, examples), less English ones: a
    # statistical guess is trusted only when the message has one of them ("qwerty zxcv" is not Māori).
    words: frozenset = frozenset()

    def level(self, text: str) -> Optional[str]:
        """'self_harm', 'danger' or None, for text already normalised with this language's fold."""
        for level in ORDER:
            patterns, unless = self.rules.get(level, ([], []))
            if any(p.search(text) for p in patterns) and not any(u.search(text) for u in unless):
                return level
        return None

    def marker_hits(self, text: str) -> int:
        return sum(1 for m in self.markers if m.search(text))


def _compile(source: Path, code: str, what: str, items: Iterable, fold: bool) -> List[Pattern]:
    compiled = []
    for item in items or []:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{source}: '{what}': every pattern must be a non-empty string")
        try:
            compiled.append(re.compile(_normalise_pattern(item, fold), re.I))
        except re.error as error:
            raise ValueError(f"{source}: '{what}': bad pattern {item!r}: {error}") from error
    return compiled


def load_language(path: Path) -> LanguagePatterns:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    code = raw.get("language")
    if code != path.stem:
        raise ValueError(f"{path}: 'language' must be {path.stem!r} (the file name), got {code!r}")
    fold = bool(raw.get("fold", True))
    rules = {}
    for level in ORDER:
        block = raw.get(level) or {}
        if not block.get("patterns"):
            raise ValueError(f"{path}: '{level}' needs at least one pattern")
        rules[level] = (
            _compile(path, code, f"{level}.patterns", block["patterns"], fold),
            _compile(path, code, f"{level}.unless", block.get("unless", []), fold),
        )
    examples = raw.get("examples") or {}
    for kind in ("self_harm", "danger", "neither"):
        if not examples.get(kind):
            raise ValueError(f"{path}: 'examples.{kind}' needs at least one message (the tests use them)")
    return LanguagePatterns(
        code=code,
        name=str(raw.get("name") or code),
        fold=fold,
        rules=rules,
        markers=_compile(path, code, "markers", raw.get("markers", []), fold),
        detector=raw.get("detector"),
        examples=examples,
        words=_own_words(raw, fold),
    )


def _own_words(raw: dict, fold: bool) -> frozenset:
    """Words of two or more letters in a language file's patterns, markers and examples."""
    texts = [t for kind in (raw.get("examples") or {}).values() for t in kind or []] + [str(raw.get("words") or "")]
    patterns = list(raw.get("markers") or [])
    for level in ORDER:
        block = raw.get(level) or {}
        patterns += list(block.get("patterns") or []) + list(block.get("unless") or [])
    texts += [re.sub(r"\\[A-Za-z]", " ", str(p)) for p in patterns]  # "\bje" is "je", not "bje"
    found = {w for text in texts for w in _WORD.findall(normalise(str(text), fold))}
    return frozenset(found - english_words())


@lru_cache(maxsize=4)
def load_languages(folder: str = str(PATTERNS_DIR)) -> Dict[str, LanguagePatterns]:
    languages = {}
    for path in sorted(Path(folder).glob("*.yml")):
        language = load_language(path)
        languages[language.code] = language
    if not languages:
        raise ValueError(f"{folder}: no language pattern files")
    return languages


# -- detection ---------------------------------------------------------------------------------

# Scripts that name a language (or a small family) on their own.
_SCRIPTS: Sequence[Tuple[str, str]] = (
    ("\u0a00-\u0a7f", "pa"),  # Gurmukhi
    ("\u0900-\u097f", "hi"),  # Devanagari
    ("\uac00-\ud7af\u1100-\u11ff\u3130-\u318f", "ko"),  # Hangul
    ("\u0370-\u03ff\u1f00-\u1fff", "el"),  # Greek
)
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_URDU_LETTERS = re.compile(r"[ٹڈڑںےۓھہیکگچپژ]")  # letters Urdu uses and Arabic does not
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Characters that differ between simplified and traditional Chinese, common in short messages.
_SIMPLIFIED = set(
    "们这个说门杀来会为时国与还后见对样电网发给没让觉过点请问总关开听话钱车长东书买卖难险帮报枪乐爱儿"
    "楼结号骚扰盗谢伤杀轻踪闯跟账户骂侮辱讯息图视频"
)
_TRADITIONAL = set(
    "們這個說門殺來會為時國與還後見對樣電網發給沒讓覺過點請問總關開聽話錢車長東書買賣難險幫報槍樂愛兒"
    "樓結號騷擾盜謝傷殺輕蹤闖帳戶罵訊圖視頻"
)


def _chinese_variant(text: str) -> str:
    simplified = sum(1 for c in text if c in _SIMPLIFIED)
    traditional = sum(1 for c in text if c in _TRADITIONAL)
    return "zh-Hant" if traditional > simplified else "zh"


class _Lingua:
    """lingua's detector over our languages, built once (its models load lazily, per language)."""

    def __init__(self, codes: Iterable[str]) -> None:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        wanted = set(codes) | {"en"} | NEIGHBOURS
        languages = []
        for code in sorted(wanted):
            iso = getattr(IsoCode639_1, code.upper(), None)
            if iso is not None:
                languages.append(Language.from_iso_code_639_1(iso))
        # low accuracy mode: trigram models only, about 30 MB instead of about 390 MB per process
        # (scripts/language_eval.py compares the two on our short-message test set)
        self.detector = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()

    def detect(self, text: str) -> Tuple[Optional[str], float]:
        values = self.detector.compute_language_confidence_values(text)
        if not values:
            return None, 0.0
        top = values[0]
        return top.language.iso_code_639_1.name.lower(), float(top.value)


# Languages we do not answer in, kept in the detector so that their speakers (and close
# relatives of our languages) are not forced into one of ours: Catalan/Galician next to
# Spanish and Portuguese, Dutch next to Afrikaans, Indonesian/Malay next to Tagalog, German.
NEIGHBOURS = {"ca", "nl", "de", "id", "ms", "ru", "ja", "tr", "fa"}


@lru_cache(maxsize=1)
def _lingua() -> _Lingua:
    return _Lingua(code for code, lang in load_languages().items() if lang.detector)


def warm_up() -> None:
    """Load lingua's models now (a few seconds, about 350 MB), not on the first message:
    call it when the NLU component loads."""
    _lingua().detect("warm up the detector before the first message arrives")


def detect_language(text: str) -> Optional[str]:
    """The language of a message, as one of our codes, or None for English or when unsure."""
    sample = (text or "")[:2000]
    if len(_LETTER.findall(sample)) < MIN_LETTERS and not _HAN.search(sample):
        return None
    for letters, code in _SCRIPTS:
        if re.search(f"[{letters}]", sample):
            return code
    if _HAN.search(sample) and not _KANA.search(sample):
        return _chinese_variant(sample)
    if _ARABIC.search(sample):
        return "ur" if _URDU_LETTERS.search(sample) else "ar"
    languages = load_languages()
    # Samoan and Tongan (no model anywhere), romanised Hindi and Punjabi: their common words.
    scores = []
    for code, lang in languages.items():
        if lang.markers:
            hits = lang.marker_hits(normalise(sample, lang.fold))
            if hits >= 2:
                scores.append((hits, code))
    if scores:
        return max(scores)[1]
    if len(_WORD.findall(sample)) < MIN_WORDS or mostly_english(sample):
        return None
    code, confidence = _lingua().detect(sample)
    if code is None or code == "en" or confidence < MIN_CONFIDENCE:
        return None
    if code == "zh":
        return _chinese_variant(sample)
    return _with_own_words(sample, code, languages)


def _with_own_words(sample: str, guess: str, languages: Dict[str, LanguagePatterns]) -> Optional[str]:
    """Lingua's guess for the whole message, kept when the message has one of that language's
    own words, or when most of its non-English words, guessed one by one, are that language too.
    Keyboard mashing and code are not a language ("qwerty zxcv" is not Māori); lingua's
    low-accuracy mode takes "aidez-moi s'il vous plaît" for Sesotho, and its words are French."""
    if guess not in languages:
        return None

    def shared(lang: LanguagePatterns) -> int:
        return len(set(_WORD.findall(normalise(sample, lang.fold))) & lang.words)

    if shared(languages[guess]):
        return guess
    words = [w for w in _WORD.findall(sample.lower()) if w not in english_words()]
    votes = [_lingua().detect(w)[0] for w in words[:12]]
    if len(votes) >= 2 and votes.count(guess) * 2 > len(votes):
        return guess
    best = max(((shared(lang), code) for code, lang in languages.items() if lang.detector), default=(0, None))
    return best[1] if best[0] >= 2 else None  # two of one language's words: "aidez-moi s'il vous plaît"


# The English words people use here (bot/nlu/english_words.txt, from the training data and
# the place names: scripts/english_words.py). A message mostly made of them is English, before
# any model is asked: "i'm in sydney" or "the police dont care" are easy for a statistical
# detector to mistake for Vietnamese or Romanian.
ENGLISH_WORDS_FILE = Path(__file__).with_name("english_words.txt")
ENGLISH_SHARE = 0.6  # of a message's words
_ENGLISH_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")


@lru_cache(maxsize=1)
def english_words() -> frozenset:
    """The English words people use here (bot/nlu/english_words.txt)."""
    return frozenset(ENGLISH_WORDS_FILE.read_text(encoding="utf-8").split())


def mostly_english(text: str) -> bool:
    tokens = [t.replace("'", "") for t in _ENGLISH_TOKEN.findall(text.lower())]
    return bool(tokens) and sum(t in english_words() for t in tokens) / len(tokens) >= ENGLISH_SHARE


# -- the net -----------------------------------------------------------------------------------


class LanguageNet:
    """Danger and despair in other languages (see the module docstring)."""

    def __init__(self, folder: Optional[str] = None) -> None:
        self.languages = load_languages(folder or str(PATTERNS_DIR))

    def hits(self, text: str) -> Dict[str, str]:
        """{language: level} for every language whose patterns match."""
        found = {}
        folded = {True: normalise(text[:MAX_TEXT], True), False: normalise(text[:MAX_TEXT], False)}
        for code, lang in self.languages.items():
            level = lang.level(folded[lang.fold])
            if level:
                found[code] = level
        return found

    def classify(self, text: str) -> Optional[LanguageFlag]:
        if not text or not text.strip():
            return None
        hits = self.hits(text)
        detected = detect_language(text)
        if hits:
            if detected in hits:
                return LanguageFlag(detected, hits[detected])
            if detected == "zh-Hant" and "zh" in hits:
                return LanguageFlag("zh-Hant", hits["zh"])
            # Several languages' patterns can share a phrase (isiZulu and isiXhosa, Sesotho and
            # Setswana): the most serious level first, then the file order.
            for level in ORDER:
                for code in self.languages:
                    if hits.get(code) == level:
                        return LanguageFlag("zh-Hant" if code == "zh" and detected == "zh-Hant" else code, level)
        if detected:
            return LanguageFlag(detected, None)
        return None


# -- the reply ---------------------------------------------------------------------------------


def language_reply(kb, language: Optional[str], place: Optional[str]) -> str:
    """Markdown lines for a message in `language` (a code from detect_language or classify):
    the sentence saying these are the emergency and crisis numbers, the numbers (they need no
    translation: the place's, or every covered country's when the place is unknown), the
    sentence saying the rest of the service is in English, and the interpreter route for the
    place where an official source names one (every covered one's when it is unknown)."""
    languages = _languages_file(str(kb.root))
    entry = languages.entry(language) if language else None
    jurisdiction = kb.jurisdiction(place)
    scope = [jurisdiction] if jurisdiction else kb.covered()
    lines: List[str] = [entry.emergency] if entry else []
    for j in scope:
        # Numbers bare: the names are English words the person may not read, and every covered
        # country's numbers then fit one SMS. A name that carries the number keeps its words
        # ("NHS 111 (choose the mental health option)"); for one place, crisis lines keep names.
        emergency = [c.phone for c in j.contacts if c.kind == "emergency" and c.phone]
        crisis = [
            _label(c) if len(scope) == 1 or c.phone in c.name else c.phone
            for c in j.contacts
            if c.kind == "crisis" and c.phone
        ]
        numbers = ", ".join(emergency) + (f"; crisis: {', '.join(crisis)}" if crisis else "")
        lines.append(f"- **{j.name}**: {numbers}" if len(scope) > 1 else f"**{j.name}**: {numbers}")
    if entry:
        lines.append(entry.english_only)
    ids = {j.id for j in scope}
    for route in languages.interpreters:
        if route.jurisdiction in ids:
            where = f" ({kb.jurisdictions[route.jurisdiction].name})" if len(scope) > 1 else ""
            lines.append(f"**Interpreter{where}**: {route.name} {route.phone}. {route.how}")
    return "\n".join(lines)


@lru_cache(maxsize=4)
def _languages_file(root: str):
    from bot.knowledge.loader import load_languages_file  # knowledge/languages.yml, validated

    return load_languages_file(Path(root))


def _label(contact) -> str:
    """ "13 11 14 (Lifeline)"; the name alone when it already says the number ("Need to talk? 1737")."""
    return contact.name if contact.phone in contact.name else f"{contact.phone} ({contact.name})"
