"""Which body a figure is credited to: a scored choice among the bodies the article gives it.

ROWS.md credits a figure to the subject that did or reported it, else to the body whose meeting or report
the article covers. Text says this in many ways, so the choice is not one rule but a linear score over
candidates (every body the article names, the province's People's Committee of a provincial article, and
"no body"), on what speaks for each. The weights are fitted on gold (`dxdata.extract.fit`) and stored with
the indicator model; the neutral weights below only trust the hand rule, which is what extraction did before
the weights were fitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

NO_BODY: Final = ""  # the candidate "credited to no body" (an empty body_code)

BODY_FEATURES: Final = (
    "rule",  # the body the hand rule picks: the subject, else the previous sentence's, else the article's
    "none",  # the "no body" candidate
    "subject",  # the nearest body named before the figure in its sentence (not a possessive "của ...")
    "sentence",  # named anywhere in the figure's sentence
    "previous",  # the subject of the sentence before, in the same paragraph
    "meeting",  # the body whose meeting or report the article's lead covers
    "lead",  # its share of the bodies named in the lead
    "article",  # its share of the bodies named in the article
    "named",  # its share of the bodies named in the article, in possessives too ("... của Bộ Y tế")
    "province",  # the People's Committee of a provincial article or of a province as the subject
)


@dataclass
class BodyModel:
    """Weights over `BODY_FEATURES`."""

    coef: tuple[float, ...] = tuple(1.0 if name == "rule" else 0.0 for name in BODY_FEATURES)

    def __post_init__(self) -> None:
        if len(self.coef) != len(BODY_FEATURES):
            raise ValueError(f"the body model has {len(self.coef)} weights for {len(BODY_FEATURES)} features")

    def choose(self, candidates: Mapping[str, Sequence[float]]) -> str:
        """The candidate with the highest score (ties: the first given)."""
        best, best_score = NO_BODY, float("-inf")
        for body, features in candidates.items():
            score = sum(w * x for w, x in zip(self.coef, features, strict=True))
            if score > best_score:
                best, best_score = body, score
        return best

    def to_json(self) -> dict:
        return {"features": list(BODY_FEATURES), "coef": [round(w, 6) for w in self.coef]}

    @classmethod
    def from_json(cls, raw: Mapping | None, where: str) -> BodyModel:
        """The stored body model; the neutral one when the file has none (fitted before bodies were scored)."""
        if not raw:
            return cls()
        if list(raw["features"]) != list(BODY_FEATURES):
            raise ValueError(f"{where}: body weights fitted for {raw['features']}, the code has {list(BODY_FEATURES)}")
        return cls(tuple(float(w) for w in raw["coef"]))
