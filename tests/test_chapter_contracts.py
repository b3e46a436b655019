"""Every chapter follows the study contract (CONTRIBUTING.md): a Design, fit_key_models, a
parameters block generated from the Design, and a multiverse of at least 200 universes."""

from __future__ import annotations

import pytest

from ratify.variants import check_defaults, load, universes
from ratify.variants.schema import CHAPTERS

SLUGS = sorted(p.name for p in CHAPTERS.iterdir() if (p / "variants.yaml").exists())


def test_all_five_chapters_are_checked():
    assert len(SLUGS) == 5


@pytest.mark.parametrize("slug", SLUGS)
def test_each_chapter_declares_a_design_whose_parameters_block_and_notebook_cell_agree(slug):
    chapter = load(slug)
    assert chapter.design, f"{slug}: variants.yaml names no design"
    assert check_defaults(chapter) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_each_chapter_declares_a_multiverse_of_at_least_200_universes_with_reasons(slug):
    spec = universes.load(slug)
    assert len(spec.universes()) >= 200
    assert all(rule.why.strip() for rule in spec.rules)
    assert len({u.id for u in spec.universes()}) == len(spec.universes())  # no universe twice
