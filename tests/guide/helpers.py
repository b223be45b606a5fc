"""Walking the guide through the test client the way a browser without JavaScript does."""

from html.parser import HTMLParser

from django.urls import reverse

FLOW = "blocked-number"


def step_url(node_id: str, lang: str = "it") -> str:
    from django.utils import translation

    with translation.override(lang):
        return reverse("guide:step", args=[FLOW, node_id.replace("_", "-")])


def start_url(lang: str = "it") -> str:
    from django.utils import translation

    with translation.override(lang):
        return reverse("guide:flow", args=[FLOW])


def answer_data(node, answer_id: str) -> dict:
    """What a browser posts to answer `node` with `answer_id`: the radio's value, or on a checklist the first box
    that chooses that answer (nothing ticked for its "none" answer)."""
    if node.is_checklist:
        items = next(answer.items for answer in node.answers if answer.id == answer_id)
        return {"items": list(items[:1])}
    return {"answer": answer_id}


def node_of(response) -> str:
    """The id of the node a step page shows (from its data-node attribute)."""
    parser = _Attrs("data-node")
    parser.feed(response.content.decode())
    assert parser.values, "not a step page"
    return parser.values[0]


def attr_values(response, name: str) -> list[str]:
    parser = _Attrs(name)
    parser.feed(response.content.decode())
    return parser.values


class _Attrs(HTMLParser):
    def __init__(self, name: str):
        super().__init__()
        self.name, self.values = name, []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == self.name:
                self.values.append(value)


def walk_state(client) -> dict:
    """The walk of the test flow as stored in the visitor's signed walk cookie ({} when there is none)."""
    from django.core import signing

    from portal.guide import walks

    cookie = client.cookies.get(walks.COOKIE_NAME)
    if cookie is None or not cookie.value:
        return {}
    return signing.loads(cookie.value, salt=walks._SALT).get(FLOW, {})


def set_walk_state(client, state) -> None:
    """Replaces the test flow's walk in the cookie with `state` (signed, as if the site had written it)."""
    from django.core import signing

    from portal.guide import walks

    client.cookies[walks.COOKIE_NAME] = signing.dumps({FLOW: state}, salt=walks._SALT, compress=True)


def answer_to_first_outcome(client, flow, **headers):
    """Post the first answer of every step from the start down to an outcome, as a browser would; the outcome node."""
    node = flow.nodes[flow.start]
    while not node.is_outcome:
        answer = node.answers[0].id if node.answers else "continue"
        client.post(step_url(node.id), answer_data(node, answer), **headers)
        node = flow.nodes[node.target(answer)]
    return node
