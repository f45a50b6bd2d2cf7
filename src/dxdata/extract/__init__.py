"""Extraction: one article's text in, its indicator rows and every other number (with the reason) out.

Pure functions of plain Python, by stage: `sentences` (where sentences and page chrome are), `numbers`
(numbers with their units, or why they are not facts), `periods` (time expressions), `regions` (place names),
`cues` (the codebook's cue phrases and body names), `model` (the indicator model and its profiles), `article`
(the decisions for each figure: indicator, period, region, body, status), `settings` (vocabularies and
weights as data), `fit` (fitting the model on gold).
"""

from dxdata.extract.article import extract_article

__all__ = ["extract_article"]
