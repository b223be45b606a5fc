"""Each kind of broken flow is rejected with a message that names the file and the node."""

import textwrap
from pathlib import Path

import pytest
from django.core.checks import Error
from django.test import override_settings

from portal.flows.checks import check_flows
from portal.flows.loader import FlowError, load_flow, load_flows
from tests.flows.sample import TINY_FLOW, write_flow


def problems_of(tmp_path: Path, structure: str) -> list[str]:
    path = write_flow(tmp_path, structure)
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    return [str(problem) for problem in caught.value.problems]


def test_good_flow_loads_structure_only(tmp_path):
    flow = load_flow(write_flow(tmp_path, TINY_FLOW))
    assert flow.id == "tiny" and flow.slug == "tiny" and flow.start == "ask"
    assert flow.depth == {"ask": 1, "done": 0, "later": 0}
    assert [answer.id for answer in flow.nodes["ask"].answers] == ["yes", "no"]
    assert not hasattr(flow, "words")  # words belong to the content layer (portal/content/words.py)


def test_the_flow_engine_reads_no_words():
    """portal/flows/ is structure only: nothing in it opens kb/<locale>/ or knows a locale."""
    import portal.flows

    source = "".join(p.read_text() for p in Path(portal.flows.__file__).parent.glob("*.py"))
    assert "KB_DIR" not in source and "LANGUAGES" not in source and "locale" not in source


@pytest.mark.parametrize("change, message", [
    pytest.param(('next = "later"', 'next = "nowhere"'), "tiny.toml, node 'ask': unknown target 'nowhere'",
                 id="unknown-target"),
    pytest.param(('start = "ask"', 'start = "begin"'), "start node 'begin' does not exist", id="unknown-start"),
    pytest.param(('{ id = "no", next = "later" }', '{ id = "yes", next = "later" }'),
                 "node 'ask': duplicate answer id 'yes'", id="duplicate-answer-id"),
    pytest.param(('outcome = "wait"', 'outcome = "give-up"'), "node 'later': unknown outcome kind 'give-up'",
                 id="unknown-outcome-kind"),
    pytest.param(('type = "question"', 'type = "quiz"'), "node 'ask': unknown node type 'quiz'",
                 id="unknown-node-type"),
])
def test_a_broken_node_is_refused_and_named(tmp_path, change, message):
    assert change[0] in TINY_FLOW  # each case really changes the good flow
    problems = problems_of(tmp_path, TINY_FLOW.replace(*change))
    assert any(message in p for p in problems), problems


def test_duplicate_id(tmp_path):
    structure = TINY_FLOW + '\n[[nodes]]\nid = "done"\ntype = "outcome"\noutcome = "wait"\n'
    assert any("node 'done': duplicate node id" in p for p in problems_of(tmp_path, structure))


def test_unreachable_node(tmp_path):
    structure = TINY_FLOW + '\n[[nodes]]\nid = "orphan"\ntype = "outcome"\noutcome = "wait"\n'
    assert any("node 'orphan': unreachable" in p for p in problems_of(tmp_path, structure))


def test_question_without_answers(tmp_path):
    structure = TINY_FLOW.replace(
        "[[nodes]]\nid = \"later\"", "[[nodes]]\nid = \"empty\"\ntype = \"question\"\nanswers = []\n\n[[nodes]]\nid = \"later\""
    ).replace('{ id = "no", next = "later" }', '{ id = "no", next = "empty" }')
    structure += '\n'
    problems = problems_of(tmp_path, structure)
    assert any("node 'empty': question has no answers" in p for p in problems)


@pytest.mark.parametrize("info_nodes, expected", [
    pytest.param({"loop_a": "loop_b", "loop_b": "loop_a"},
                 ["node 'loop_a': no outcome can be reached from this node",
                  "node 'loop_b': no outcome can be reached from this node"], id="no-outcome-from-a-loop"),
    pytest.param({"more": "ask"}, ["cycle: ask -> more -> ask"], id="cycle-back-to-the-question"),
])
def test_a_loop_of_steps_is_rejected(tmp_path, info_nodes, expected):
    """A third answer of the question leads into info steps that loop: among themselves, so no outcome can be
    reached from them, or back to the question (a cycle)."""
    first = next(iter(info_nodes))
    structure = TINY_FLOW.replace('{ id = "no", next = "later" }',
                                  f'{{ id = "no", next = "later" }}, {{ id = "again", next = "{first}" }}')
    for node_id, target in info_nodes.items():
        structure += f'\n[[nodes]]\nid = "{node_id}"\ntype = "info"\nnext = "{target}"\n'
    problems = problems_of(tmp_path, structure)
    for message in expected:
        assert any(message in p for p in problems), problems


def test_info_without_next(tmp_path):
    structure = TINY_FLOW.replace('start = "ask"', 'start = "intro"') + (
        '\n[[nodes]]\nid = "intro"\ntype = "info"\n'
    )
    assert any("node 'intro': info node has no 'next'" in p for p in problems_of(tmp_path, structure))


def test_invalid_toml_names_the_file(tmp_path):
    problems = problems_of(tmp_path, TINY_FLOW + "\n[[nodes]\n")
    assert len(problems) == 1 and "flows/tiny.toml: not valid TOML" in problems[0]


def test_two_flows_with_one_slug_are_rejected(tmp_path):
    write_flow(tmp_path, TINY_FLOW)
    (tmp_path / "flows" / "copy.toml").write_text(textwrap.dedent(TINY_FLOW).replace('id = "tiny"', 'id = "copy"\nslug = "tiny"'))
    with pytest.raises(FlowError, match="slug 'tiny' is already used"):
        load_flows(tmp_path / "flows")


def test_system_check_reports_a_broken_flow(tmp_path):
    write_flow(tmp_path, TINY_FLOW.replace('next = "later"', 'next = "nowhere"'))
    with override_settings(FLOWS_DIR=tmp_path / "flows", KB_DIR=tmp_path):
        errors = check_flows()
    assert len(errors) == 1
    assert isinstance(errors[0], Error) and errors[0].id == "flows.E001"
    assert "tiny.toml, node 'ask': unknown target 'nowhere'" in errors[0].msg


def test_system_check_passes_on_the_real_flows():
    assert check_flows() == []


class TestMovedIds:
    """`[moved]` keeps old permalinks alive: each old id must lead to a node, and must no longer be one."""

    def test_moved_ids_resolve_to_their_final_node(self, tmp_path):
        structure = TINY_FLOW + '\n[moved]\nold_ask = "ask"\nolder_ask = "old_ask"\ngone = "later"\n'
        flow = load_flow(write_flow(tmp_path, structure))
        assert dict(flow.moved) == {"old_ask": "ask", "older_ask": "ask", "gone": "later"}
        assert flow.moved_by_slug("older-ask").id == "ask"
        assert flow.moved_by_slug("older_ask") is None  # one spelling per permalink: hyphens
        assert flow.moved_by_slug("ask") is None and flow.current_id("ask") == "ask"

    def test_moved_id_pointing_nowhere(self, tmp_path):
        problems = problems_of(tmp_path, TINY_FLOW + '\n[moved]\nold_ask = "asked"\n')
        assert any("tiny.toml, node 'old_ask': [moved] 'old_ask' points to 'asked', which is not a node" in p
                   for p in problems)

    def test_chain_ending_nowhere_names_the_end(self, tmp_path):
        problems = problems_of(tmp_path, TINY_FLOW + '\n[moved]\na = "b"\nb = "c"\n')
        assert any("node 'a': [moved] 'a' points to 'c', which is not a node" in p for p in problems)

    def test_moved_id_that_is_still_a_node(self, tmp_path):
        problems = problems_of(tmp_path, TINY_FLOW + '\n[moved]\ndone = "later"\n')
        assert any("node 'done': [moved] 'done' is still a node" in p for p in problems)

    def test_moved_ids_that_loop(self, tmp_path):
        problems = problems_of(tmp_path, TINY_FLOW + '\n[moved]\na = "b"\nb = "a"\nself = "self"\n')
        assert any("node 'a': [moved] loops: a -> b -> a" in p for p in problems)
        assert any("node 'self': [moved] loops: self -> self" in p for p in problems)

    def test_moved_must_be_a_table_of_strings(self, tmp_path):
        problems = problems_of(tmp_path, TINY_FLOW + '\n[moved]\nold_ask = 3\n')
        assert any("node 'old_ask': [moved] needs the new id as a non-empty string" in p for p in problems)

    def test_the_system_check_reports_a_bad_move(self, tmp_path):
        write_flow(tmp_path, TINY_FLOW + '\n[moved]\nold_ask = "asked"\n')
        with override_settings(FLOWS_DIR=tmp_path / "flows", KB_DIR=tmp_path):
            errors = check_flows()
        assert [error.id for error in errors] == ["flows.E001"]
        assert "'old_ask' points to 'asked'" in errors[0].msg


def test_a_very_long_flow_is_checked_without_recursion_and_a_cycle_at_its_end_is_found():
    """100,000 steps in a row: the checks walk the graph with their own stacks, not Python's (bench/flow_scale.py
    times them: linear)."""
    from portal.flows.loader import _depths
    from portal.flows.model import Answer, Node, NodeType, Outcome
    from portal.flows.validator import structure_problems

    size = 100_000
    nodes = [Node(id=f"q{i}", type=NodeType.QUESTION, answers=(Answer("a", f"q{i + 1}"), Answer("b", "end")))
             for i in range(size)]
    nodes.append(Node(id=f"q{size}", type=NodeType.OUTCOME, outcome=Outcome.WAIT))
    nodes.append(Node(id="end", type=NodeType.OUTCOME, outcome=Outcome.APPEAL))
    assert structure_problems(Path("long.toml"), "q0", nodes) == []
    depths = _depths({node.id: node for node in nodes})
    assert depths["q0"] == size and depths[f"q{size - 1}"] == 1 and depths["end"] == 0

    looped = nodes[:-2] + [Node(id=f"q{size}", type=NodeType.INFO, next="q0"), nodes[-1]]
    problems = structure_problems(Path("long.toml"), "q0", looped)
    assert len(problems) == 1 and problems[0].message.startswith("cycle: q0 -> q1 -> ")
    assert problems[0].message.endswith(f"q{size} -> q0")


# ---------------------------------------------------------------- outcome tools and the reason (issue 8)


def test_tools_and_the_reason_load(tmp_path):
    structure = TINY_FLOW.replace('type = "question"\n', 'type = "question"\nreason = true\ntools = ["website_check"]\n')
    structure = structure.replace('{ id = "no", next = "later" }', '{ id = "no", next = "later", no_reason = true }')
    structure = structure.replace('outcome = "appeal"', 'outcome = "appeal"\ntools = ["website_check", "review_date"]')
    flow = load_flow(write_flow(tmp_path, structure))
    ask = flow.nodes["ask"]
    assert ask.names_reason and [a.no_reason for a in ask.answers] == [False, True]
    assert [t.value for t in ask.tools] == ["website_check"]
    assert [t.value for t in flow.nodes["done"].tools] == ["website_check", "review_date"]
    assert flow.nodes["later"].tools == () and not flow.nodes["later"].names_reason


def test_an_outcome_names_its_channel_and_the_platform_is_the_default(tmp_path):
    from portal.flows.model import Channel

    flow = load_flow(write_flow(tmp_path, TINY_FLOW.replace('outcome = "wait"', 'outcome = "wait"\nchannel = "app"')))
    assert flow.nodes["later"].channel is Channel.APP
    assert flow.nodes["done"].channel is Channel.PLATFORM


@pytest.mark.parametrize("change, message", [
    (('outcome = "wait"', 'outcome = "wait"\ntools = ["fax_machine"]'), "unknown tool 'fax_machine'"),
    (('outcome = "wait"', 'outcome = "wait"\ntools = "end_date"'), "'tools' must be a list"),
    (('type = "question"\n', 'type = "question"\ntools = ["end_date"]\n'), "tool 'end_date' belongs on an outcome"),
    (('outcome = "wait"', 'outcome = "wait"\nreason = true'), "only a question can name the reason"),
    (('type = "question"\n', 'type = "question"\nreason = "yes"\n'), "'reason' must be true or false"),
    (('{ id = "no", next = "later" }', '{ id = "no", next = "later", no_reason = 1 }'), "'no_reason' must be true"),
    (('outcome = "wait"', 'outcome = "wait"\nchannel = "fax"'), "unknown channel 'fax'"),
    (('type = "question"\n', 'type = "question"\nchannel = "app"\n'), "'channel' belongs on an outcome"),
])
def test_bad_tools_and_reasons_are_refused(tmp_path, change, message):
    problems = problems_of(tmp_path, TINY_FLOW.replace(*change))
    assert any(message in problem for problem in problems), problems
