"""System checks of the guides' words, with the same validator `import_kb` and the admin use (content/words.py).

- content.E001: a kb/<locale>/flows/ words file is broken (no database needed: runs with every `check`,
  runserver and the test run), naming the file and node.
- content.W001: the database, the guide's only run-time source of words, lacks Italian words for a node (or a
  guide's title), or holds words that would show badly. Only when a database is named
  (`check --database default`, which `make setup` runs after `import_kb`, with --fail-level WARNING). A warning,
  not an error, because `migrate` runs the same check before `import_kb` could seed the rows of a new step.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError, connections

from portal.flows.loader import FlowError
from portal.flows.registry import all_flows

from .words import SOURCE_LOCALE, NodeText, flow_words, node_text_problems


def _flows():
    try:
        return list(all_flows().values())
    except FlowError:
        return []  # the flows check (flows.E001) reports a broken structure; words cannot be checked against it


@register("content")
def check_words_files(app_configs=None, **kwargs):
    locales = [code for code, _name in settings.LANGUAGES]
    errors = []
    for flow in _flows():
        _files, problems = flow_words(settings.KB_DIR, flow, locales)
        errors += [Error(str(problem), id="content.E001") for problem in problems]
    return errors


@register(Tags.database)
def check_words_in_database(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    from .models import GuideText, StepText

    if not {StepText._meta.db_table, GuideText._meta.db_table} <= set(connections["default"].introspection.table_names()):
        return []  # not migrated yet: `migrate` is about to create the tables
    hint = "Run `python manage.py import_kb` (it never overwrites an admin edit), or fix the row in the admin."
    warnings = []
    try:
        for flow in _flows():
            rows = {(row.node_id, row.locale): row for row in StepText.objects.filter(flow_id=flow.id)}
            if not GuideText.objects.filter(flow_id=flow.id, locale=SOURCE_LOCALE).exists():
                warnings.append(Warning(f"guide text {SOURCE_LOCALE} {flow.id}: no Italian title in the database",
                                        hint=hint, id="content.W001"))
            for node in flow.nodes.values():
                if (node.id, SOURCE_LOCALE) not in rows:
                    warnings.append(Warning(
                        f"step text {SOURCE_LOCALE} {flow.id}:{node.id}: no Italian words in the database; the step "
                        "shows only its id", hint=hint, id="content.W001"))
            for (node_id, locale), row in sorted(rows.items()):
                node = flow.nodes.get(node_id)
                if node is None:
                    continue  # a removed step's words stay for their history; nothing shows them
                text = NodeText(title=row.title, hint=row.hint, body=row.body, answers=row.answers or {})
                for problem in node_text_problems(node, text, source=f"step text {locale} {flow.id}:{node_id}"):
                    warnings.append(Warning(f"{problem.source}: {problem.message}", hint=hint, id="content.W001"))
    except DatabaseError as error:
        return [Warning(f"cannot read the guides' words from the database: {error}", id="content.W001")]
    return warnings
