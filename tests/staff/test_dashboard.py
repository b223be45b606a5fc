"""Each dashboard figure against a hand-built set of walks with known answers."""

import csv
import datetime as dt
import io
import math

import pytest
from django.urls import reverse
from django.utils import translation

from portal.content.steps import step_texts
from portal.flows.resolver import every_path
from portal.staff import dashboard as figures
from portal.staff.forms import Filters
from portal.tracking.models import LinkOpen, Vote

from .conftest import NOW, vote, walk

pytestmark = pytest.mark.django_db

DAY = NOW.date()


def target(flow, path):
    node_id, answer_id = path[-1]
    return flow.nodes[flow.nodes[node_id].target(answer_id)]


def path_to(flow, kind, skip=0):
    return [p for p in every_path(flow) if target(flow, p).outcome.value == kind][skip]


def filters(flow, **changes):
    values = dict(flow=flow, version=flow.version, first_day=DAY - dt.timedelta(days=6), last_day=DAY, locale="",
                  step="")
    values.update(changes)
    return Filters(**values)


@pytest.fixture
def known(flow):
    """The hand-built set; returns what each figure must say."""
    started = NOW - dt.timedelta(hours=3)
    appeal, wait, contact = path_to(flow, "appeal"), path_to(flow, "wait"), path_to(flow, "contact-meta")
    long_path = max(every_path(flow), key=len)
    a = walk(flow, answers=appeal, started=started, gaps=[10] * len(appeal))
    b = walk(flow, answers=appeal, started=started, gaps=[20] * len(appeal))
    c = walk(flow, answers=wait, started=started, gaps=[5] * len(wait))
    g = walk(flow, answers=appeal, started=started, gaps=[40] * len(appeal), locale="en")
    d = walk(flow, answers=long_path[:2], started=started, last_seen=NOW - dt.timedelta(minutes=31))  # abandoned
    e = walk(flow, answers=long_path[:1], started=NOW - dt.timedelta(minutes=10),
             last_seen=NOW - dt.timedelta(minutes=29))  # still in progress
    walk(flow, answers=contact, started=started, version="older")  # another flow version
    walk(flow, answers=appeal, started=NOW - dt.timedelta(days=8))  # before the period
    return {
        "appeal": appeal, "wait": wait, "long_path": long_path, "left_at": target(flow, long_path[:2]).id,
        "durations": sorted([10 * len(appeal), 20 * len(appeal), 5 * len(wait), 40 * len(appeal)]),
        "walks": [a, b, c, g, d, e],
    }


def build(flow, **changes):
    return figures.build(filters(flow, **changes), step_texts(flow, "it"), "it", now=NOW)


def nearest_rank(values, fraction):
    return values[max(0, math.ceil(fraction * len(values)) - 1)]


def test_walks_started_reached_abandoned_and_in_progress(flow, known):
    board = build(flow)
    assert (board.summary["started"], board.summary["reached"], board.summary["abandoned"],
            board.summary["in_progress"]) == (6, 4, 1, 1)
    assert board.summary["outcomes"] == {"appeal": 3, "wait": 1, "contact-meta": 0}


def test_the_abandoned_rule_is_no_outcome_and_idle_30_minutes(flow):
    first = every_path(flow)[0]
    walk(flow, answers=first[:1], last_seen=NOW - dt.timedelta(minutes=30, seconds=1))
    walk(flow, answers=first[:1], last_seen=NOW - dt.timedelta(minutes=29, seconds=59))
    walk(flow, answers=first, last_seen=NOW - dt.timedelta(days=2) + dt.timedelta(hours=3))  # an outcome: never
    summary = build(flow).summary
    assert (summary["abandoned"], summary["in_progress"], summary["reached"]) == (1, 1, 1)


def test_a_flow_version_never_mixes_with_another(flow, known):
    older = build(flow, version="older")
    assert (older.summary["started"], older.summary["outcomes"]["contact-meta"]) == (1, 1)
    current_answers = {(row["node"], row["answer"]): row["times"] for row in build(flow).tables["answers"].rows}
    older_answers = {(row["node"], row["answer"]): row["times"] for row in older.tables["answers"].rows}
    texts = step_texts(flow, "it")
    for node_id, answer_id in path_to(flow, "contact-meta"):
        if flow.nodes[node_id].is_question:
            assert older_answers[(node_id, texts[node_id].answers[answer_id])] == 1
    assert sum(older_answers.values()) == sum(1 for n, _a in path_to(flow, "contact-meta") if flow.nodes[n].is_question)
    assert sum(current_answers.values()) > sum(older_answers.values())
    assert [row["flow_version"] for row in build(flow).versions] == [flow.version, "older"]


def test_language_filter(flow, known):
    assert build(flow, locale="en").summary["started"] == 1
    assert build(flow, locale="it").summary["started"] == 5


def test_median_and_90th_percentile_time_to_outcome(flow, known):
    board = build(flow)
    durations = known["durations"]
    assert board.percentiles[0.5] == dt.timedelta(seconds=nearest_rank(durations, 0.5))
    assert board.percentiles[0.9] == dt.timedelta(seconds=nearest_rank(durations, 0.9))
    rows = {str(row["figure"]): row["value"] for row in board.tables["summary"].rows}
    assert nearest_rank(durations, 0.5) in rows.values() and nearest_rank(durations, 0.9) in rows.values()


def test_no_outcome_no_percentile(flow):
    walk(flow, answers=every_path(flow)[0][:1])
    assert build(flow).percentiles == {0.5: None, 0.9: None}


def test_outcome_mix_and_its_daily_trend(flow, known):
    walk(flow, answers=known["wait"], started=NOW - dt.timedelta(days=2, hours=1))
    board = build(flow)
    mix = {row["key"]: (row["walks"], row["share"]) for row in board.tables["outcomes"].rows}
    assert mix == {"appeal": (3, 60.0), "wait": (2, 40.0), "contact-meta": (0, 0.0)}
    trend = {row["day"]: row for row in board.tables["trend"].rows}
    assert len(trend) == 7  # every day of the period, empty ones included
    today = trend[DAY.isoformat()]
    assert (today["appeal"], today["wait"], today["contact-meta"], today["none"], today["total"]) == (3, 1, 0, 2, 6)
    two_days_ago = trend[(DAY - dt.timedelta(days=2)).isoformat()]
    assert (two_days_ago["wait"], two_days_ago["total"]) == (1, 1)


def test_drop_off_per_step_counts_abandoned_walks_where_they_stopped(flow, known):
    rows = {row["node"]: row for row in build(flow).tables["dropoff"].rows}
    left_at = known["left_at"]
    assert rows[left_at]["left"] == 1
    assert sum(row["left"] for row in rows.values()) == 1
    assert rows[left_at]["share"] == pytest.approx(100 * 1 / rows[left_at]["reached"], abs=0.1)
    assert build(flow).tables["dropoff"].rows[0]["node"] == left_at  # worst first
    assert not any(flow.nodes[node].is_outcome for node in rows)


def test_answers_chosen_per_question(flow, known):
    texts = step_texts(flow, "it")
    expected = {}
    for w in known["walks"]:
        for event in w.events.filter(kind="answered"):
            if flow.nodes[event.node_id].is_question or flow.nodes[event.node_id].is_checklist:
                key = (event.node_id, texts[event.node_id].answers[event.answer_id])
                expected[key] = expected.get(key, 0) + 1
    rows = build(flow).tables["answers"].rows
    got = {(row["node"], row["answer"]): row["times"] for row in rows if row["times"]}
    assert got == expected
    questions = [n for n, node in flow.nodes.items() if node.is_question or node.is_checklist]
    assert {row["node"] for row in rows} == set(questions)  # every answer listed, chosen or not


def test_helpfulness_per_step_outcome_and_article_worst_first(flow, known):
    outcome_id = known["walks"][0].outcome_node
    step_id = known["appeal"][1][0]
    for helpful, reason in [(True, ""), (False, Vote.Reason.OUTDATED), (False, Vote.Reason.OUTDATED)]:
        vote(target_type="outcome", target_id=f"{flow.id}:{outcome_id}", helpful=helpful, reason=reason)
    vote(target_type="step", target_id=f"{flow.id}:{step_id}", helpful=True, reason=Vote.Reason.CLEAR)
    vote(target_type="article", target_id="appeal", helpful=False, reason=Vote.Reason.UNCLEAR)
    vote(target_type="article", target_id="appeal", helpful=False, at=NOW - dt.timedelta(days=9))  # too old
    rows = build(flow).tables["helpfulness"].rows
    assert [(row["yes"], row["no"], row["share_no"]) for row in rows] == [(0, 1, 100.0), (1, 2, 66.7), (1, 0, 0.0)]
    assert rows[1]["node"] == outcome_id and str(Vote.Reason.OUTDATED.label) in rows[1]["reasons"]
    assert ": 2" in rows[1]["reasons"]
    assert rows[2]["node"] == step_id


def test_link_opens_per_step(flow, known):
    node = known["appeal"][1][0]
    LinkOpen.objects.create(day=DAY, flow_id=flow.id, node_id=node, locale="it", count=5)
    LinkOpen.objects.create(day=DAY - dt.timedelta(days=1), flow_id=flow.id, node_id=node, locale="en", count=2)
    LinkOpen.objects.create(day=DAY - dt.timedelta(days=30), flow_id=flow.id, node_id=node, locale="it", count=99)
    rows = {row["node"]: row["opens"] for row in build(flow).tables["links"].rows}
    assert rows[node] == 7 and sum(rows.values()) == 7
    assert {row["node"]: row["opens"] for row in build(flow, locale="en").tables["links"].rows}[node] == 2


def test_a_step_slice_keeps_that_step_only(flow, known):
    step = known["appeal"][1][0]
    board = build(flow, step=step)
    for slug in ("dropoff", "answers", "links"):
        assert {row["node"] for row in board.tables[slug].rows} == {step}


# The pages


def dashboard_url(lang="it", **params):
    with translation.override(lang):
        return reverse("staff:dashboard")


def period_params(**more):
    return {"period": "dates", "start": (DAY - dt.timedelta(days=6)).isoformat(), "end": DAY.isoformat(), **more}


def test_the_dashboard_page_shows_the_figures_charts_and_tables(support_client, flow, known):
    response = support_client.get(dashboard_url(), period_params())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-figure="started"><dt>' in body
    started = body.split('data-figure="started">', 1)[1].split("</div>", 1)[0]
    assert "<dd>6</dd>" in started
    for chart in ("chart-outcomes", "chart-trend", "chart-dropoff"):
        svg = body.split(f'id="{chart}"', 1)[1].split("</svg>", 1)[0]
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in svg and f'<desc id="{chart}-desc">' in svg
    for slug in figures.TABLES:
        assert f'data-table="{slug}"' in body and f'data-csv="{slug}"' in body


@pytest.mark.parametrize("params", [
    {"period": "dates", "start": "2026-13-01", "end": "2026-11-20"},
    {"period": "dates", "start": "2026-11-20", "end": "2026-11-01"},
    {"period": "dates", "start": "yesterday"},
    {"period": "dates"},
    {"period": "dates", "start": "2020-01-01", "end": "2026-01-01"},
    {"period": "12"},
    {"locale": "xx"},
    {"step": "no_such_step"},
    {"version": "v" * 200},
    # {"start": "\x00"}: a NUL never reaches the dashboard; the edge answers 400 (tests/edge).
])
def test_bad_filters_are_a_clear_form_error_not_a_500(support_client, params):
    response = support_client.get(dashboard_url(), params)
    assert response.status_code == 400
    assert "data-form-errors" in response.content.decode()
    csv_response = support_client.get(reverse("staff:dashboard_csv", args=["summary"]), params)
    assert csv_response.status_code == 400


def test_an_unknown_table_or_flow_is_a_404(support_client):
    assert support_client.get(reverse("staff:dashboard_csv", args=["nope"])).status_code == 404
    assert support_client.get(dashboard_url(), {"flow": "nope"}).status_code == 404


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_every_table_exports_to_csv(support_client, flow, known):
    for slug in figures.TABLES:
        response = support_client.get(reverse("staff:dashboard_csv", args=[slug]), period_params())
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; filename=") and f"-{slug}-" in disposition
        assert disposition.endswith('.csv"') and DAY.isoformat() in disposition
        rows = read_csv(response)
        board = build(flow)
        assert len(rows) == 1 + len(board.tables[slug].rows)
    summary = read_csv(support_client.get(reverse("staff:dashboard_csv", args=["summary"]), period_params()))
    assert summary[1][1] == "6"


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(flow):
    from portal.staff.tables import Column, Table, csv_response

    table = Table("t", "T", (Column("a", "A"), Column("n", "N", True)),
                  [{"a": "=HYPERLINK(\"x\")", "n": -3}, {"a": "+1", "n": 2}, {"a": "@SUM", "n": 0},
                   {"a": "-x", "n": 1}, {"a": 'plain, "quoted"', "n": 1}])
    rows = read_csv(csv_response(table, "t.csv"))
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(\"x\")", "'+1", "'@SUM", "'-x", 'plain, "quoted"']
    assert rows[1][1] == "-3"  # numbers stay numbers


def test_query_count_does_not_grow_with_the_number_of_walks(support_client, flow, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        support_client.get(dashboard_url(), period_params())  # warm the words cache
        with CaptureQueriesContext(connection) as context:
            assert support_client.get(dashboard_url(), period_params()).status_code == 200
        return len(context.captured_queries)

    walk(flow, answers=every_path(flow)[0])
    vote(target_type="article", target_id="a0", helpful=False)
    few = count()
    for path in every_path(flow)[1:12]:
        walk(flow, answers=path)
        vote(target_type="article", target_id=f"a{len(path)}", helpful=False)
    assert count() == few
    assert few <= 22


# The daily rollups give the same figures as the raw tables


def test_rolled_up_days_give_the_same_figures_as_the_raw_tables(flow, known, django_assert_max_num_queries):
    from portal.staff.models import RolledDay
    from portal.staff.rollup import roll_days

    long_path = known["long_path"]
    for days_back, locale, version in [(3, "it", None), (3, "en", None), (5, "it", "older"), (6, "it", None)]:
        started = NOW - dt.timedelta(days=days_back, hours=1)
        walk(flow, answers=known["appeal"], started=started, locale=locale, version=version, gaps=[days_back] * 9)
        walk(flow, answers=long_path[:2], started=started, locale=locale, version=version)  # abandoned
        walk(flow, answers=known["wait"], started=started, locale=locale, gaps=[7] * 9)
    vote(target_type="step", target_id=f"{flow.id}:{long_path[0][0]}", helpful=False, at=NOW - dt.timedelta(days=4))

    def everything(**changes):
        board = build(flow, **changes)
        return (board.summary, board.percentiles, board.versions,
                {slug: list(table.rows) for slug, table in board.tables.items()})

    variants = [{}, {"locale": "en"}, {"version": "older"}, {"step": long_path[1][0]}]
    raw = [everything(**changes) for changes in variants]
    assert roll_days(flow.id, DAY - dt.timedelta(days=6), DAY - dt.timedelta(days=1)) == 6
    assert RolledDay.objects.count() == 6
    for changes, expected in zip(variants, raw):
        assert everything(**changes) == expected, changes
    # Rolled days in the middle of the period: the raw tables answer for the days before and after them.
    RolledDay.objects.all().delete()
    roll_days(flow.id, DAY - dt.timedelta(days=4), DAY - dt.timedelta(days=2))
    for changes, expected in zip(variants, raw):
        assert everything(**changes) == expected, changes
    with django_assert_max_num_queries(18):  # each figure: one query per source, whatever the number of walks
        build(flow)


def test_rolling_up_is_idempotent_and_pending_days_only(flow, known):
    from portal.staff.models import WalkDay
    from portal.staff.rollup import roll_pending

    walk(flow, answers=known["appeal"], started=NOW - dt.timedelta(days=4))
    first = roll_pending(flow.id, today=DAY)
    rows = sorted(WalkDay.objects.values_list("day", "outcome_kind", "walks"))
    assert first >= 1 and rows
    assert roll_pending(flow.id, today=DAY) == 0  # nothing new to roll
    assert roll_pending(flow.id, today=DAY, rebuild=True) == first
    assert sorted(WalkDay.objects.values_list("day", "outcome_kind", "walks")) == rows
    assert not WalkDay.objects.filter(day__gt=DAY - dt.timedelta(days=2)).exists()  # recent days stay live
