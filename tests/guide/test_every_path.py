"""Every path of every flow, walked with form posts (no JavaScript), in every language, ends at an outcome."""

import pytest
from django.conf import settings

from portal.flows.registry import all_flows
from portal.flows.resolver import every_path, resolve_node
from portal.tracking.models import FlowSession

from .helpers import answer_data, attr_values, node_of

CASES = [
    pytest.param(flow, path, lang, id=f"{lang}:{flow.slug}:" + "/".join(answer for _, answer in path))
    for flow in all_flows().values()
    for path in every_path(flow)
    for lang, _ in settings.LANGUAGES
]


@pytest.mark.django_db
@pytest.mark.parametrize("flow,path,lang", CASES)
def test_path_renders_every_page_and_ends_at_its_outcome(client, flow, path, lang):
    response = client.post(f"/{lang}/guide/{flow.slug}/", follow=True)
    for node_id, answer_id in path:
        assert response.status_code == 200
        assert node_of(response) == node_id
        data = answer_data(flow.nodes[node_id], answer_id)
        for value in data.get("items", [answer_id] if "answer" in data else []):
            assert f'value="{value}"' in response.content.decode()  # the answer (or its box) is on the page
        response = client.post(response.redirect_chain[-1][0], data, follow=True)

    outcome = resolve_node(flow, path).current
    assert response.status_code == 200
    assert node_of(response) == outcome.id
    assert attr_values(response, "data-outcome") == [outcome.outcome.value]
    session = FlowSession.objects.get()
    assert attr_values(response, "data-session-ref") == [session.ref_code]
    assert (session.outcome_kind, session.outcome_node, session.locale) == (outcome.outcome.value, outcome.id, lang)
