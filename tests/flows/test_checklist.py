"""Checklist nodes (checkboxes): structure, validation and how ticked items pick an answer. No words here."""

import textwrap
from pathlib import Path

import pytest

from portal.flows.loader import FlowError, load_flow
from portal.flows.model import NOTHING_TICKED
from portal.flows.resolver import every_path, resolve_node

CHECKLIST = """
id = "tiny"
start = "which"

[[nodes]]
id = "which"
type = "checklist"
answers = [
  { id = "banned", next = "contact", items = ["guns", "dice"] },
  { id = "shop", next = "wait", items = ["gym"] },
  { id = "none", next = "appeal" },
]

[[nodes]]
id = "contact"
type = "outcome"
outcome = "contact-meta"

[[nodes]]
id = "wait"
type = "outcome"
outcome = "wait"

[[nodes]]
id = "appeal"
type = "outcome"
outcome = "appeal"
"""


def write(tmp_path: Path, structure: str) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(textwrap.dedent(structure))
    return path


def problems_of(tmp_path: Path, structure: str) -> list[str]:
    with pytest.raises(FlowError) as caught:
        load_flow(write(tmp_path, structure))
    return [str(problem) for problem in caught.value.problems]


def test_a_checklist_loads_with_its_items_in_order(tmp_path):
    node = load_flow(write(tmp_path, CHECKLIST)).nodes["which"]
    assert node.is_checklist and not node.is_question
    assert node.items == ("guns", "dice", "gym")
    assert node.label_ids == ("banned", "shop", "none", "guns", "dice", "gym")


@pytest.mark.parametrize("ticked,answer", [
    ([], NOTHING_TICKED),
    (["gym"], "shop"),
    (["dice"], "banned"),
    (["gym", "guns"], "banned"),  # the first answer in the file's order wins
    (["unknown"], NOTHING_TICKED),
])
def test_ticked_items_pick_the_first_answer_that_has_one(tmp_path, ticked, answer):
    node = load_flow(write(tmp_path, CHECKLIST)).nodes["which"]
    assert node.answer_for(ticked) == answer


def test_the_resolver_and_every_path_treat_a_checklist_answer_like_any_answer(tmp_path):
    flow = load_flow(write(tmp_path, CHECKLIST))
    assert resolve_node(flow, [("which", "shop")]).current.id == "wait"
    assert [path for path in every_path(flow)] == [(("which", "banned"),), (("which", "shop"),), (("which", "none"),)]
    assert flow.depth["which"] == 1


def test_a_checklist_needs_the_nothing_ticked_answer(tmp_path):
    structure = CHECKLIST.replace('  { id = "none", next = "appeal" },\n', "")
    structure = structure.replace('[[nodes]]\nid = "appeal"\ntype = "outcome"\noutcome = "appeal"\n', "")
    assert any("node 'which': a checklist needs exactly one answer without items, with the id 'none'" in p
               for p in problems_of(tmp_path, structure))


def test_every_other_answer_needs_items(tmp_path):
    structure = CHECKLIST.replace('{ id = "shop", next = "wait", items = ["gym"] }', '{ id = "shop", next = "wait" }')
    assert any("found ['shop', 'none']" in p for p in problems_of(tmp_path, structure))


def test_item_ids_are_unique_and_never_an_answer_id(tmp_path):
    assert any("item id 'guns' is used twice" in p for p in problems_of(tmp_path, CHECKLIST.replace('["gym"]', '["guns"]')))
    assert any("item id 'shop' is used twice" in p for p in problems_of(tmp_path, CHECKLIST.replace('["gym"]', '["shop"]')))


def test_item_ids_are_plain_ids(tmp_path):
    assert any("item id 'Big Guns'" in p for p in problems_of(tmp_path, CHECKLIST.replace('"guns"', '"Big Guns"')))


def test_items_must_be_a_list_of_ids(tmp_path):
    assert any("'items' must be a list of ids" in p
               for p in problems_of(tmp_path, CHECKLIST.replace('["gym"]', '"gym"')))


def test_a_question_answer_cannot_have_items(tmp_path):
    structure = CHECKLIST.replace('type = "checklist"', 'type = "question"')
    assert any("only a checklist's answers have items" in p for p in problems_of(tmp_path, structure))
