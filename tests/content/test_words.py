"""The guides' words: one validator (content/words.py) for the kb/ files, import_kb, the admin and the system
checks; every problem names the file (or row) and the node."""

import textwrap
from pathlib import Path

import pytest
from django.core.checks import Error, Warning
from django.test import override_settings

from portal.content.checks import check_words_files, check_words_in_database
from portal.content.importer import kb_import
from portal.content.models import GuideText, StepText
from portal.content.words import NodeText, flow_words, node_text_problems
from portal.flows.loader import load_flow
from tests.flows.sample import write_flow

WORDS = """
[flow]
title = "Piccola"
summary = "Una guida piccola."

[nodes.ask]
title = "Domanda?"
hint = "Un aiuto."
[nodes.ask.answers]
yes = "Sì"
no = "No"

[nodes.done]
title = "Fatto"
body = "Corpo."

[nodes.later]
title = "Dopo"
body = "Corpo."
"""


@pytest.fixture
def kb(tmp_path):
    write_flow(tmp_path)
    return tmp_path


@pytest.fixture
def tiny(kb):
    return load_flow(kb / "flows" / "tiny.toml")


def write_words(kb: Path, text: str | None = WORDS, locale: str = "it") -> Path:
    path = kb / locale / "flows" / "tiny.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is not None:
        path.write_text(textwrap.dedent(text))
    return path


def problems_of(kb, tiny, words=WORDS, locale="it") -> list[str]:
    write_words(kb, words, locale)
    files, problems = flow_words(kb, tiny, ["it", "en"])
    assert locale not in {f.locale for f in files}  # a file with problems is left out whole
    return [str(problem) for problem in problems]


class TestValidator:
    def test_good_words_read_with_title_summary_and_labels(self, kb, tiny):
        write_words(kb)
        files, problems = flow_words(kb, tiny, ["it", "en"])
        assert problems == []
        (italian,) = files  # no English file: the site falls back to Italian
        assert (italian.locale, italian.title, italian.summary) == ("it", "Piccola", "Una guida piccola.")
        assert dict(italian.nodes["ask"].answers) == {"yes": "Sì", "no": "No"}

    def test_missing_italian_file(self, kb, tiny):
        files, problems = flow_words(kb, tiny, ["it"])
        assert files == []
        assert any("it/flows/tiny.toml: missing: every node of 'tiny' needs Italian text" in str(p) for p in problems)

    @pytest.mark.parametrize("words, message", [
        pytest.param(WORDS.replace('[nodes.later]\ntitle = "Dopo"\nbody = "Corpo."\n', ""),
                     "it/flows/tiny.toml, node 'later': no it text for this node", id="node-without-italian-text"),
        pytest.param(WORDS.replace('no = "No"\n', ""),
                     "tiny.toml, node 'ask': answer 'no' has no label", id="answer-without-label"),
        pytest.param(WORDS.replace('no = "No"\n', 'no = "No"\nmaybe = "Forse"\n'),
                     "tiny.toml, node 'ask': label for unknown answer 'maybe'", id="label-for-an-unknown-answer"),
        pytest.param(WORDS.replace('title = "Fatto"\nbody = "Corpo."', 'title = "Fatto"'),
                     "tiny.toml, node 'done': outcome node needs a body", id="outcome-without-body"),
        pytest.param(WORDS.replace('title = "Dopo"', 'title = "  "'),
                     "tiny.toml, node 'later': empty title", id="empty-title"),
        pytest.param(WORDS.replace('title = "Piccola"', ""),
                     "it/flows/tiny.toml: the [flow] table needs a title", id="guide-without-a-title"),
        pytest.param(WORDS + '\n[nodes.ghost]\ntitle = "G"\n',
                     "tiny.toml, node 'ghost': words for a node that is not in the flow", id="words-for-unknown-node"),
    ])
    def test_a_problem_names_the_file_and_the_node(self, kb, tiny, words, message):
        assert words != WORDS  # each case changes the good words
        problems = problems_of(kb, tiny, words)
        assert any(message in p for p in problems), problems

    def test_invalid_toml_names_the_file(self, kb, tiny):
        problems = problems_of(kb, tiny, WORDS + "\n[nodes\n")
        assert len(problems) == 1 and "it/flows/tiny.toml: not valid TOML" in problems[0]

    def test_incomplete_english_is_allowed_but_typos_and_half_nodes_are_not(self, kb, tiny):
        write_words(kb)
        write_words(kb, '[nodes.done]\ntitle = "Done"\nbody = "Body."\n', "en")
        files, problems = flow_words(kb, tiny, ["it", "en"])
        assert problems == [] and set(files[1].nodes) == {"done"}
        assert any("en/flows/tiny.toml, node 'dnoe': words for a node" in p
                   for p in problems_of(kb, tiny, '[nodes.dnoe]\ntitle = "Done"\nbody = "Body."\n', "en"))
        half = '[nodes.ask]\ntitle = "Question?"\n[nodes.ask.answers]\nyes = "Yes"\n'
        assert any("en/flows/tiny.toml, node 'ask': answer 'no' has no label" in p
                   for p in problems_of(kb, tiny, half, "en"))

    def test_one_node_checked_the_same_way_wherever_its_words_come_from(self, tiny):
        problems = node_text_problems(tiny.nodes["ask"], NodeText(title="", answers={"yes": "Sì"}), source="row")
        assert [(p.code, p.field) for p in problems] == [("empty_title", "title"), ("no_label", "answer:no")]


class TestSystemChecks:
    def test_a_broken_words_file_stops_the_start_naming_file_and_node(self, kb):
        write_words(kb, WORDS.replace('no = "No"\n', ""))
        with override_settings(FLOWS_DIR=kb / "flows", KB_DIR=kb):
            from portal.flows.registry import all_flows

            all_flows.cache_clear()
            try:
                errors = check_words_files()
            finally:
                all_flows.cache_clear()
        assert [(type(e), e.id) for e in errors] == [(Error, "content.E001")]
        assert "tiny.toml, node 'ask': answer 'no' has no label" in errors[0].msg

    def test_the_real_words_files_pass(self):
        assert check_words_files() == []

    def test_database_check_needs_a_database(self):
        assert check_words_in_database(databases=None) == []

    @pytest.mark.django_db
    def test_a_database_without_words_is_reported_after_import(self, flow):
        warnings = check_words_in_database(databases=["default"])
        assert warnings and all(isinstance(w, Warning) and w.id == "content.W001" for w in warnings)
        assert any(f"step text it {flow.id}:{flow.start}: no Italian words in the database" in w.msg
                   for w in warnings)
        assert any(f"guide text it {flow.id}: no Italian title" in w.msg for w in warnings)
        assert "import_kb" in warnings[0].hint

    def test_the_imported_database_passes_and_a_broken_row_is_named(self, imported, flow):
        assert check_words_in_database(databases=["default"]) == []
        question = next(node for node in flow.nodes.values() if node.is_question)
        row = StepText.objects.get(flow_id=flow.id, node_id=question.id, locale="en")
        StepText.objects.filter(pk=row.pk).update(answers={})  # as an old revision restored from history might
        warnings = check_words_in_database(databases=["default"])
        assert [w.msg for w in warnings] == [
            f"step text en {flow.id}:{question.id}: answer '{answer.id}' has no label" for answer in question.answers
        ]


@pytest.mark.django_db
class TestImport:
    def test_a_broken_words_file_is_reported_and_not_imported(self, kb, tiny):
        write_words(kb, WORDS.replace('body = "Corpo."', "", 1))
        report = kb_import(kb_dir=kb, locales=["it"], flows=[tiny])
        assert any("tiny.toml, node 'done': outcome node needs a body" in p for p in report.problems)
        assert not StepText.objects.exists() and not GuideText.objects.exists()

    def test_guide_title_and_summary_are_seeded_idempotently_and_an_admin_edit_is_kept(self, kb, tiny):
        from django.utils import timezone

        write_words(kb)
        report = kb_import(kb_dir=kb, locales=["it"], flows=[tiny])
        assert "guide tiny (it)" in report.created
        guide = GuideText.objects.get(flow_id="tiny", locale="it")
        assert (guide.title, guide.summary) == ("Piccola", "Una guida piccola.")
        assert "guide tiny (it)" in kb_import(kb_dir=kb, locales=["it"], flows=[tiny]).skipped
        guide.title, guide.edited_at = "Piccola guida", timezone.now()
        guide.save()
        write_words(kb, WORDS.replace('title = "Piccola"', 'title = "Guida piccola"'))
        report = kb_import(kb_dir=kb, locales=["it"], flows=[tiny])
        assert any(c.startswith("guide tiny (it): edited in the admin") for c in report.conflicts)
        assert GuideText.objects.get(pk=guide.pk).title == "Piccola guida"
