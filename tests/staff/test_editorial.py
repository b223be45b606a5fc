"""The editorial readouts: translations (coverage, outdated with the change side by side), unhelpful content (Wilson
ranking), search gaps; their CSV exports; who may open them; the staff home's one-click highlights."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from portal.content import revisions
from portal.content.models import Article, Significance, SourceRevision, StepText
from portal.staff import editorial
from portal.staff.access import EDITORS_GROUP
from portal.staff.editorial import wilson_lower_bound
from portal.tracking.models import SearchCount, Vote
from tests.content.test_admin import article_form_data

from .conftest import staff_member, vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return staff_member("editor", EDITORS_GROUP)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def en(name, *args, **kwargs):
    """A staff URL in English (the workspace speaks the language of its URL; Italian by default)."""
    from django.utils import translation

    with translation.override("en"):
        return reverse(name, args=args or None, kwargs=kwargs or None)


def rows_of(response):
    """A CSV export's rows (after its header) as lists of cells."""
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def at(days_ago: int = 0) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago, hours=1)


# Permissions --------------------------------------------------------------------------------------------------

EDITORIAL_URLS = [
    ("staff:translations", {}), ("staff:translations_csv", {}), ("staff:unhelpful", {}),
    ("staff:unhelpful_csv", {}), ("staff:searches", {}), ("staff:searches_csv", {"table": "zero"}),
    ("staff:translation_changes", {"kind": "article", "key": "appeal", "locale": "en"}),
]


@pytest.mark.parametrize("name, kwargs", EDITORIAL_URLS)
def test_who_may_open_each_readout(client, imported, editor, support_user, customer_user, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("admin:login"))
    client.force_login(customer_user)  # signed in, not staff: the login page too
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.force_login(support_user)  # Support reads walks, not the editorial readouts
    assert client.get(url).status_code == 403
    client.force_login(editor)
    assert client.get(url).status_code == 200
    client.force_login(User.objects.create_superuser("root", password="x"))
    assert client.get(url).status_code == 200


def test_the_editors_group_can_fix_texts_in_the_admin_but_not_read_walks(editor_client, imported, editor):
    assert editor.has_perm("content.change_article") and editor.has_perm("content.change_steptext")
    assert not editor.has_perm("tracking.view_flowsession")
    assert editor_client.get(reverse("staff:dashboard")).status_code == 403
    english = Article.objects.get(locale="en", translation_key="appeal")
    assert editor_client.get(f"/admin/content/article/{english.pk}/change/").status_code == 200


def test_support_sees_no_editorial_sections_on_the_home_and_editors_do(client, imported, editor, support_user):
    client.force_login(support_user)
    body = client.get(reverse("staff:home")).content.decode()
    assert 'data-section="translations"' not in body and 'data-section="searches"' not in body
    client.force_login(editor)
    body = client.get(reverse("staff:home")).content.decode()
    for key in ("translations", "unhelpful", "searches"):
        assert f'data-section="{key}"' in body


# Localization -------------------------------------------------------------------------------------------------

def test_done_when_a_content_change_shows_the_english_as_outdated_with_the_change_side_by_side(
        admin_client, editor_client, imported):
    italian = Article.objects.get(locale="it", translation_key="appeal")
    new_paragraph = "Se Meta non risponde entro una settimana, scrivi di nuovo dal Centro assistenza."
    changed = italian.body.replace("\n\n", f"\n\n{new_paragraph}\n\n", 1)
    data = article_form_data(italian, body=changed, significance="content")
    assert admin_client.post(f"/admin/content/article/{italian.pk}/change/", data).status_code == 302

    page = editor_client.get(en("staff:translations"), {"locale": "en", "status": "outdated"})
    body = page.content.decode()
    assert 'data-text="article:appeal" data-status="outdated"' in body
    assert "r2 content change" in body
    changes_url = en("staff:translation_changes", "article", "appeal", "en")
    assert changes_url in body
    diff = editor_client.get(changes_url).content.decode()
    assert f"<ins>{new_paragraph}</ins>" in diff
    assert "Italian at revision 1 (translated)" in diff and "Italian now (revision 2)" in diff


def test_done_when_a_typo_fix_leaves_the_english_up_to_date(admin_client, editor_client, imported):
    italian = Article.objects.get(locale="it", translation_key="appeal")
    data = article_form_data(italian, body=italian.body.replace("Meta", "Meta ", 1).replace("Meta  ", "Meta "),
                             significance="typo", summary=italian.summary + " ")
    data["body"] = italian.body + "\n\nUn refuso corretto."
    assert admin_client.post(f"/admin/content/article/{italian.pk}/change/", data).status_code == 302
    body = editor_client.get(en("staff:translations"), {"locale": "en"}).content.decode()
    assert 'data-text="article:appeal" data-status="current"' in body
    assert "r2 typo fix" in body  # behind, but only by a typo fix
    outdated = editor_client.get(reverse("staff:translations"), {"locale": "en", "status": "outdated"})
    assert 'data-text="article:appeal"' not in outdated.content.decode()


def test_coverage_against_a_hand_built_set(editor_client):
    """3 Italian articles + 2 Italian steps of the guide: the English has 1 current, 1 outdated, 3 missing."""
    from portal.flows.registry import all_flows

    flow = next(iter(all_flows().values()))
    nodes = list(flow.nodes)[:2]
    for key in ("uno", "due", "tre"):
        source = Article.objects.create(locale="it", slug=key, translation_key=key, title=key.title(), summary="s",
                                        body=f"Testo {key}.", topic="capire")
        revisions.record(source, Significance.CONTENT)
    for node_id in nodes:
        step = StepText.objects.create(flow_id=flow.id, node_id=node_id, locale="it", title=f"Passo {node_id}")
        revisions.record(step, Significance.CONTENT)
    Article.objects.create(locale="en", slug="one", translation_key="uno", title="One", summary="s", body="One.",
                           topic="capire", source_revision=1)
    Article.objects.create(locale="en", slug="two", translation_key="due", title="Two", summary="s", body="Two.",
                           topic="capire", source_revision=1)
    two = Article.objects.get(locale="it", translation_key="due")
    two.body = "Testo nuovo."
    two.save()
    revisions.record(two, Significance.MAJOR)
    coverage, rows = editorial.localization("en", today=timezone.localdate())
    assert (coverage.total, coverage.current, coverage.outdated, coverage.missing) == (5, 1, 1, 3)
    assert coverage.percent == 20
    by_key = {row.key: row for row in rows}
    assert by_key["due"].status == "outdated" and by_key["due"].behind == [(2, "major")]
    assert by_key["tre"].status == "missing" and by_key["tre"].admin_url.endswith("?locale=en&translation_key=tre")
    body = editor_client.get(en("staff:translations")).content.decode()
    assert '<progress max="100" value="20"' in body and "1 of 5 up to date, 1 outdated, 3 missing" in body
    exported = rows_of(editor_client.get(reverse("staff:translations_csv"), {"status": "missing"}))
    assert sorted(row[2] for row in exported) == sorted(["tre", f"{flow.id}:{nodes[0]}", f"{flow.id}:{nodes[1]}"])


def test_most_read_first_without_any_page_view_recorded(editor_client):
    for key in ("poco", "molto"):
        source = Article.objects.create(locale="it", slug=key, translation_key=key, title=key, summary="s",
                                        body="x", topic="capire")
        revisions.record(source, Significance.CONTENT)
    for _ in range(3):
        vote(target_type="article", target_id="molto", helpful=True, at=at(2))
    vote(target_type="article", target_id="poco", helpful=True, at=at(2))
    vote(target_type="article", target_id="poco", helpful=True, at=at(200))  # too old to count
    _coverage, rows = editorial.localization("en", today=timezone.localdate())
    articles = [(row.key, row.readers) for row in rows if row.kind == "article"]
    assert articles == [("molto", 3), ("poco", 1)]


def test_changes_view_of_an_unknown_text_is_a_404(editor_client, imported):
    for args in (["article", "nope", "en"], ["nope", "appeal", "en"], ["article", "appeal", "xx"]):
        assert editor_client.get(reverse("staff:translation_changes", args=args)).status_code == 404
    assert editor_client.get(reverse("staff:translations"), {"locale": "xx"}).status_code == 404
    assert editor_client.get(reverse("staff:translations"), {"status": "bogus"}).status_code == 404


# Unhelpful content --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("no, total, expected", [
    (0, 10, 0.0), (3, 3, 0.4385), (280, 300, 0.8993), (1, 2, 0.0945), (50, 100, 0.4038), (5, 10, 0.2366),
    (0, 0, 0.0),
])
def test_wilson_lower_bound_known_numbers(no, total, expected):
    assert math.isclose(wilson_lower_bound(no, total), expected, abs_tol=1e-4)


def test_unhelpful_ranking_three_votes_do_not_outrank_three_hundred(editor_client, imported):
    for helpful in [False] * 3:
        vote(target_type="article", target_id="appeal", helpful=helpful, reason="unclear", at=at(1))
    for index in range(300):
        vote(target_type="step", target_id="blocked_number:reason", helpful=index >= 280,
             reason="not-my-case" if index < 200 else ("outdated" if index < 280 else ""), at=at(1))
    for index in range(10):
        vote(target_type="outcome", target_id="blocked_number:appeal_spam", helpful=index >= 5, at=at(1))
    vote(target_type="article", target_id="spam-blocks", helpful=True, at=at(1))  # no "no": not listed
    today = timezone.localdate()
    rows = editorial.unhelpful(locale="", first=today - dt.timedelta(days=29), last=today)
    # 280 "no" of 300 (0.8993) above 3 of 3 (0.4385) above 5 of 10 (0.2366).
    assert [(r.target_type, r.target_id) for r in rows] == [
        ("step", "blocked_number:reason"), ("article", "appeal"), ("outcome", "blocked_number:appeal_spam")]
    assert [round(r.score, 4) for r in rows] == [0.8993, 0.4385, 0.2366]
    assert rows[0].reasons == {"unclear": 0, "not-my-case": 200, "outdated": 80, "did-not-work": 0}
    step = StepText.objects.get(locale="it", flow_id="blocked_number", node_id="reason")
    assert rows[0].admin_url == reverse("admin:content_steptext_change", args=[step.pk])
    assert rows[0].page_url.startswith("/it/guide/") and rows[1].page_url.startswith("/it/articles/")

    body = editor_client.get(reverse("staff:unhelpful")).content.decode()
    assert body.index('data-target="step:blocked_number:reason"') < body.index('data-target="article:appeal"')
    assert "200" in body and 'data-reason="not-my-case"' in body
    exported = rows_of(editor_client.get(reverse("staff:unhelpful_csv")))
    assert [row[4] for row in exported] == ["blocked_number:reason", "appeal", "blocked_number:appeal_spam"]
    assert exported[0][7:9] == ["280", "0.8993"]


def test_unhelpful_per_language_and_period(editor_client, imported):
    vote(target_type="article", target_id="appeal", helpful=False, locale="en", at=at(1))
    vote(target_type="article", target_id="spam-blocks", helpful=False, locale="it", at=at(1))
    vote(target_type="article", target_id="glossary", helpful=False, locale="it", at=at(60))
    today = timezone.localdate()
    english = editorial.unhelpful(locale="en", first=today - dt.timedelta(days=29), last=today)
    assert [r.target_id for r in english] == ["appeal"]
    assert english[0].page_url.startswith("/en/articles/")
    recent = editorial.unhelpful(locale="", first=today - dt.timedelta(days=29), last=today)
    assert sorted(r.target_id for r in recent) == ["appeal", "spam-blocks"]
    response = editor_client.get(reverse("staff:unhelpful"), {"period": "dates", "start": "2026-02-30"})
    assert response.status_code == 400 and "data-form-errors" in response.content.decode()


# Search gaps --------------------------------------------------------------------------------------------------

def counts(query, searches, zero=0, opens=0, locale="it", days_ago=1):
    SearchCount.objects.create(day=timezone.localdate() - dt.timedelta(days=days_ago), locale=locale, query=query,
                               searches=searches, zero_results=zero, opens=opens)


def test_search_gap_lists_against_hand_built_searches(editor_client, settings):
    settings.SEARCH_STATS_MIN_COUNT = 3
    counts("ricorso", 40, zero=0, opens=25)
    counts("ricorso", 5, zero=0, opens=0, days_ago=2)       # the same query another day: summed
    counts("numero bannato", 12, zero=12)                   # found nothing every time
    counts("verifica business", 9, zero=1, opens=0)         # found articles, none opened
    counts("pagamento", 2, zero=2)                          # under the minimum: never shown
    counts("spam", 7, zero=0, opens=0, locale="en")
    page = editor_client.get(reverse("staff:searches"))
    tables = page.context["tables"]
    assert [row["query"] for row in tables["top"].rows] == ["ricorso", "numero bannato", "verifica business", "spam"]
    assert tables["top"].rows[0] == {"query": "ricorso", "searches": 45, "zero_results": 0, "opens": 25}
    assert [row["query"] for row in tables["zero"].rows] == ["numero bannato", "verifica business"]
    assert [row["query"] for row in tables["unopened"].rows] == ["verifica business", "spam"]
    assert "pagamento" not in page.content.decode()
    italian = editor_client.get(reverse("staff:searches"), {"locale": "it"}).context["tables"]
    assert "spam" not in [row["query"] for row in italian["unopened"].rows]
    exported = rows_of(editor_client.get(reverse("staff:searches_csv", args=["zero"])))
    assert exported == [["numero bannato", "12", "12", "0"], ["verifica business", "9", "1", "0"]]
    assert editor_client.get(reverse("staff:searches_csv", args=["nope"])).status_code == 404


# The staff home ----------------------------------------------------------------------------------------------

def test_done_when_least_helpful_pages_and_top_zero_result_search_are_one_click_from_the_home(
        editor_client, imported, settings):
    settings.SEARCH_STATS_MIN_COUNT = 3
    worst = [("step", "blocked_number:reason", 9), ("article", "appeal", 7),
             ("outcome", "blocked_number:wait_app_review", 5), ("article", "spam-blocks", 1)]
    for target_type, target_id, no in worst:
        for index in range(10):
            vote(target_type=target_type, target_id=target_id, helpful=index >= no, at=at(1))
    counts("numero bannato", 12, zero=12)
    counts("modulo ricorso", 30, zero=4)
    body = editor_client.get(en("staff:home")).content.decode()
    helpful_block = body[body.index('data-highlights="unhelpful"'):]
    helpful_block = helpful_block[:helpful_block.index("</ul>")]
    links = [line for line in helpful_block.split("<li>")[1:]]
    assert len(links) == 3
    step_url = editorial._step_page("blocked_number:reason", "it")
    article_url = editorial._article_page(Article.objects.get(locale="it", translation_key="appeal").slug, "it")
    outcome_url = editorial._step_page("blocked_number:wait_app_review", "it")
    assert f'href="{step_url}"' in links[0] and f'href="{article_url}"' in links[1]
    assert "9 of 10 said no" in links[0]
    assert f'href="{outcome_url}"' in links[2]
    spam_url = editorial._article_page(Article.objects.get(locale="it", translation_key="spam-blocks").slug, "it")
    assert spam_url not in helpful_block
    zero_block = body[body.index('data-highlights="searches"'):]
    assert "numero bannato" in zero_block[:zero_block.index("</ul>")]
    assert f'href="{reverse("staff:searches")}#table-zero"' in zero_block


# Query budgets: the readouts cost the same number of queries whatever the number of texts, votes and searches.

def _queries(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params or {})
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def _more_texts(start, count):
    for index in range(start, start + count):
        key = f"copia-{index}"
        source = Article.objects.create(locale="it", slug=key, translation_key=key, title=f"Copia {index}",
                                        summary="s", body="x", topic="capire")
        revisions.record(source, Significance.CONTENT)
        if index % 2:
            Article.objects.create(locale="en", slug=f"copy-{index}", translation_key=key, title=f"Copy {index}",
                                   summary="s", body="x", topic="capire", source_revision=0)
        vote(target_type="article", target_id=key, helpful=index % 3 == 0, reason="" if index % 3 == 0 else "unclear",
             at=at(1))
        counts(f"ricerca {chr(97 + index % 26)}{chr(97 + index // 26 % 26)}", 5, zero=index % 2)


def test_readouts_cost_the_same_queries_with_more_texts_votes_and_searches(editor_client, imported, settings):
    settings.SEARCH_STATS_MIN_COUNT = 1
    pages = [(reverse("staff:translations"), None), (reverse("staff:translations_csv"), None),
             (reverse("staff:unhelpful"), None), (reverse("staff:unhelpful_csv"), None),
             (reverse("staff:searches"), None), (reverse("staff:searches_csv", args=["zero"]), None),
             (reverse("staff:home"), None)]
    _more_texts(0, 5)
    few = [_queries(editor_client, url, params) for url, params in pages]
    _more_texts(5, 40)
    many = [_queries(editor_client, url, params) for url, params in pages]
    assert many == few
    assert max(few) <= 12
