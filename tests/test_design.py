"""Study designs: one frozen dataclass declares each choice once; everything else is derived."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from typing import Annotated, Literal

import pytest

from ratify.design import MODEL, Between, ParameterError, StudyDesign, design_fields, parameters_block


@dataclass(frozen=True, repr=False)
class ToyDesign(StudyDesign):
    end_year: Annotated[int, Between(2005, 2020)] = 2015  # last year of the window
    threshold: float = 0.0  # net migration below this is net sending
    democracy: Literal["bmr", "polity"] = "bmr"  # democracy measure
    log_stock: bool = False  # enter the immigrant stock logged
    drop_states: tuple[int, ...] = ()  # COW codes left out of the sample
    rules: tuple[Literal["a", "b", "c"], ...] = ("a", "b")  # sample rules applied
    ties: Annotated[Literal["efron", "breslow"], MODEL] = "efron"  # tied years in the partial likelihood


def test_fields_are_read_from_annotations_defaults_and_comments():
    fields = {f.name: f for f in design_fields(ToyDesign)}
    assert fields["end_year"].type == "int" and (fields["end_year"].low, fields["end_year"].high) == (2005, 2020)
    assert fields["democracy"].choices == ("bmr", "polity") and fields["democracy"].help == "democracy measure"
    assert fields["rules"].type == "list" and fields["rules"].item_type == "str" and fields["rules"].choices == ("a", "b", "c")
    assert fields["drop_states"].item_type == "int" and fields["drop_states"].choices is None
    assert fields["ties"].model_only and not fields["democracy"].model_only


@pytest.mark.parametrize("changes, message", [
    ({"end_year": 2030}, r"'end_year': 2030 is not allowed; expected an int >= 2005 and <= 2020 \(outside the range\)"),
    ({"end_year": "2015"}, r"'end_year': '2015'.*\(got a str\)"),
    ({"end_year": True}, r"'end_year': True.*\(got a bool\)"),
    ({"threshold": float("nan")}, r"'threshold': nan.*not a finite number"),
    ({"threshold": float("inf")}, r"'threshold': inf.*not a finite number"),
    ({"democracy": "vdem"}, r"'democracy': 'vdem' is not allowed; expected one of \['bmr', 'polity'\]"),
    ({"drop_states": ("Cuba",)}, r"'drop_states': 'Cuba'.*a list of int values \(got a str\)"),
    ({"drop_states": "40"}, r"'drop_states': '40'.*\(got a str\)"),
    ({"rules": ("a", "x")}, r"'rules': 'x' is not allowed; expected a list drawn from \['a', 'b', 'c'\]"),
])
def test_every_bad_value_fails_with_the_books_one_message(changes, message):
    with pytest.raises(ParameterError, match=message):
        ToyDesign(**changes)


def test_unknown_name_is_refused_and_names_the_parameters():
    with pytest.raises(ParameterError, match=r"unknown parameter 'end_yr' for ToyDesign; the parameters are \['end_year'"):
        ToyDesign.from_changes({"end_yr": 2010})


def test_values_are_normalised_and_the_design_is_frozen():
    d = ToyDesign(threshold=1, drop_states=[40, 41])
    assert d.threshold == 1.0 and isinstance(d.threshold, float)
    assert d.drop_states == (40, 41)          # lists become tuples: hashable, stable repr
    with pytest.raises(FrozenInstanceError):
        d.end_year = 2010  # type: ignore[misc]
    assert d.changes() == {"threshold": 1.0, "drop_states": (40, 41)}
    assert hash(d) == hash(ToyDesign(threshold=1.0, drop_states=(40, 41)))


def test_repr_is_complete_and_stable_so_it_can_key_the_cache():
    text = repr(ToyDesign(democracy="polity"))
    assert text.startswith("tests.test_design.ToyDesign(") or text.startswith("test_design.ToyDesign(")
    assert "democracy='polity'" in text and "ties='efron'" in text
    assert repr(ToyDesign(democracy="polity")) == text


def test_data_choices_resets_model_only_fields():
    a, b = ToyDesign(ties="breslow"), ToyDesign()
    assert a != b and a.data_choices() == b.data_choices() == b
    assert ToyDesign(democracy="polity", ties="breslow").data_choices() == ToyDesign(democracy="polity")


def test_parameters_block_is_generated_for_variants_yaml():
    block = parameters_block(ToyDesign)
    assert block["end_year"] == {"type": "int", "default": 2015, "min": 2005, "max": 2020,
                                 "help": "last year of the window"}
    assert block["rules"] == {"type": "list", "default": ["a", "b"], "items": {"type": "str", "choices": ["a", "b", "c"]},
                              "help": "sample rules applied"}
    from pathlib import Path

    from ratify.variants.schema import _parameter
    problems: list[str] = []
    for name, spec in block.items():   # the runner's schema accepts every generated declaration
        assert _parameter(name, spec, problems, Path(".")) is not None, problems
    assert problems == []
    assert block["ties"]["model_only"] is True


def test_a_field_without_a_comment_or_default_is_a_programming_error():
    @dataclass(frozen=True, repr=False)
    class NoComment(StudyDesign):
        x: int = 1

    with pytest.raises(TypeError, match="NoComment.x needs a one-line comment"):
        design_fields(NoComment)

    @dataclass(frozen=True, repr=False)
    class Mixed(StudyDesign):
        x: Literal[1, "a"] = 1  # mixed

    with pytest.raises(TypeError, match="mixes types"):
        design_fields(Mixed)
