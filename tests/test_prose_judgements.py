"""No hand-written agreement verdicts in the book's prose.

A sentence that judges agreement with a paper ("close to the paper's", "as predicted", "the
same sign") goes stale the moment a variant run or a data update moves the numbers, so the
book makes every such phrase in code (``ratify.phrases``, from the comparison) and glues it
into the page. This test reads the prose of every chapter page and the toolkit (outside code
cells, glue roles and inline code) and fails on the phrases that give a hand-written verdict.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
PAGES = sorted([*BOOK.glob("chapters/*/*.md"), *BOOK.glob("toolkit/*.md")])

JUDGEMENTS = [
    r"close to the (paper|text|review|published|authors)",
    r"as in the (paper|text|review|original)",
    r"\bmatch(es|ing)?\b(?! to\b)",
    r"as predicted",
    r"as (the paper|the text|the review|the authors?|[A-Z][a-z]+ \(?\d{4}\)?|H\d\w*|C\d+\w*) "
    r"(predicts?|expects?|finds|found|reports?|says|said|argues?)",
    r"as expected",
    r"\bin line with\b",
    r"\bconsistent with\b",
    r"\b(same|opposite) (sign|direction)\b",
    r"\b(stronger|weaker|smaller|larger|bigger) than (the paper|the text|the review|published)",
    r"\bagrees? (closely )?with the (paper|text|review|published)",
    r"\b(confirms?|replicates?|reproduces?) the (paper|text|review|finding|null|result)",
    r"contrary to (the )?prediction",
    r"\b(paper|text|review)'s point\b",
    r"\bholds? up\b",
    r"\bthe reverse of\b",
    r"\bsupported by\b",
    r"\bthe predicted (direction|side|sign)\b(?! of no effect)",
    r"\bthe pattern\b.{0,60}\breported\b",
    r"\b(tells?|shows?) the same story\b",
]
PATTERN = re.compile("|".join(f"(?:{p})" for p in JUDGEMENTS), re.IGNORECASE)

#: (page, words of the sentence) that use one of the phrases without judging agreement.
ALLOWED = {
    # a claim the text itself makes about other studies, reported in the chapter's words; not our verdict
    ("chapters/03-spiral-model/index.md", "Much of it is *consistent with* the spiral"),
}


def prose(text: str) -> str:
    """The page without front matter, code cells, fenced code, glue roles and inline code."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)
    text = re.sub(r"^(`{3,})\{code-cell\}.*?^\1\s*$", "", text, flags=re.DOTALL | re.MULTILINE)
    text = re.sub(r"^(`{3,})(?!\{).*?^\1\s*$", "", text, flags=re.DOTALL | re.MULTILINE)
    text = re.sub(r"\{glue:[a-z]+\}`[^`]*`", "GLUED", text)
    text = re.sub(r"\{[a-z:]+\}`[^`]*`", "ROLE", text)
    return re.sub(r"`[^`\n]*`", "CODE", text)


def sentences(text: str) -> list[str]:
    """Sentences within paragraphs (a heading or list item ends where its line block ends)."""
    out = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*] |#))", text):
        flat = re.sub(r"\s+", " ", block).strip()
        out += [s.strip() for s in re.split(r"(?<=[.!?:])\s+(?=[A-Z*(])", flat) if s.strip()]
    return out


def hand_written_judgements(page: Path) -> list[str]:
    rel = page.relative_to(BOOK).as_posix()
    allowed = [words for where, words in ALLOWED if where == rel]
    return [s for s in sentences(prose(page.read_text(encoding="utf-8")))
            if PATTERN.search(s) and not any(words in s for words in allowed)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(BOOK).as_posix())
def test_no_hand_written_agreement_verdicts(page):
    found = hand_written_judgements(page)
    assert not found, ("hand-written agreement verdict(s); make the phrase with ratify.phrases from the comparison "
                       "and glue it, or add the sentence to ALLOWED with a reason if it judges nothing:\n  "
                       + "\n  ".join(found))


def test_the_check_catches_a_verdict_and_spares_glued_text(tmp_path):
    page = BOOK / "chapters" / "demo.md"
    text = ("---\nkernelspec: {}\n---\n# Demo\n\nOur estimate is close to the paper's.\n\n"
            "```{code-cell} ipython3\nx = 'as predicted'\n```\n\nIt is {glue:text}`verdict`, as the text predicts.\n")
    found = [s for s in sentences(prose(text)) if PATTERN.search(s)]
    assert found == ["Our estimate is close to the paper's.", "It is GLUED, as the text predicts."]
    assert [s for s in sentences(prose("Countries are matched to COW codes.")) if PATTERN.search(s)] == []
    assert not [s for s in sentences(prose("It is {glue:text}`close`.")) if PATTERN.search(s)]
    assert PAGES and page.parent.exists()


def test_every_allowed_sentence_still_exists():
    """An allow-list entry whose sentence is gone would silently allow a new one."""
    for where, words in ALLOWED:
        assert words in re.sub(r"\s+", " ", (BOOK / where).read_text(encoding="utf-8")), (where, words)
