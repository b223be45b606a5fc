"""Reading a reference code however it was typed: case, spaces, dashes, and the characters codes never use."""

import pytest

from portal.tracking.refcodes import ALPHABET, LOOKALIKES, new_ref_code, ref_code_candidates


@pytest.mark.parametrize("typed", ["K7QX-2M4P", "k7qx-2m4p", "k7qx2m4p", " K7QX 2M4P ", "K7-QX-2M-4P", "k7qx–2m4p",
                                   "Ｋ７ＱＸ２Ｍ４Ｐ", "K.7.Q.X.2.M.4.P"])
def test_case_spaces_dashes_and_full_width_forms_are_ignored(typed):
    assert ref_code_candidates(typed) == ["K7QX-2M4P"]


def test_lookalikes_map_only_to_characters_codes_use():
    assert set(LOOKALIKES) == set("0O1ILUV")
    assert not set(LOOKALIKES) & set(ALPHABET)
    assert all(set(targets) <= set(ALPHABET) for targets in LOOKALIKES.values())


@pytest.mark.parametrize("typed, intended", [
    ("0A23-4567", "DA23-4567"),  # a D read as a zero
    ("OA23-4567", "QA23-4567"),  # a Q read as an O
    ("1A23-4567", "7A23-4567"),  # a 7 read as a one
    ("IA23-4567", "JA23-4567"),  # a J read as an I
    ("LA23-4567", "TA23-4567"),  # a T read as an L
    ("VA23-4567", "WA23-4567"),
])
def test_a_confused_character_recovers_the_intended_code(typed, intended):
    assert intended in ref_code_candidates(typed)
    assert all(len(code) == 9 and set(code.replace("-", "")) <= set(ALPHABET) for code in ref_code_candidates(typed))


def test_every_candidate_of_a_confusion_is_tried():
    assert sorted(ref_code_candidates("0123-4567")) == sorted(
        f"{a}{b}23-4567" for a in "DQ" for b in "7JT")


def test_a_code_typed_right_is_its_only_candidate():
    for _ in range(200):
        code = new_ref_code()
        assert ref_code_candidates(code.lower().replace("-", " ")) == [code]


@pytest.mark.parametrize("typed", ["", "ABC", "K7QX-2M4P-9", "K7QX-2M4!", "ÀÈÌÒ-ÙÀÈÌ", "IIII-IIII"])
def test_what_cannot_be_a_code_gives_no_candidates(typed):
    # "IIII-IIII" is a code of eight unclear characters: 3^8 guesses would match strangers' walks.
    assert ref_code_candidates(typed) == []
