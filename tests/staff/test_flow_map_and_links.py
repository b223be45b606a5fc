"""The flow map (layout and page) and the step links page."""

import datetime as dt

import pytest
from django.urls import reverse

from portal.flows.resolver import every_path
from portal.staff.flowmap import NODE_HEIGHT, NODE_WIDTH, edges_of, layer_nodes, layout
from portal.staff.steplinks import flow_order

from .conftest import walk

# Layout: pure Python, no database


def test_every_node_is_placed_and_every_edge_points_right(flow):
    placed = layout(flow)
    assert set(placed.nodes) == set(flow.nodes)
    assert len(placed.edges) == len(edges_of(flow)) == sum(len(n.successors()) for n in flow.nodes.values())
    layers = layer_nodes(flow)
    for edge in placed.edges:
        assert layers[edge.target] > layers[edge.source]
        assert edge.x2 > edge.x1
    assert layers[flow.start] == 0


def test_nodes_never_overlap_and_fit_in_the_drawing(flow):
    placed = layout(flow).nodes.values()
    boxes = [(n.x, n.y, n.x + NODE_WIDTH, n.y + NODE_HEIGHT) for n in placed]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    result = layout(flow)
    assert all(0 <= x0 and x1 <= result.width and 0 <= y0 and y1 <= result.height for x0, y0, x1, y1 in boxes)


def test_a_node_sits_one_layer_after_its_furthest_predecessor(flow):
    layers = layer_nodes(flow)
    for node_id in flow.nodes:
        preds = [s for s, t, _a in edges_of(flow) if t == node_id]
        if preds:
            assert layers[node_id] == 1 + max(layers[p] for p in preds)


def test_flow_order_lists_every_step_once_from_the_start(flow):
    order = flow_order(flow)
    assert order[0] == flow.start and sorted(order) == sorted(flow.nodes)


# Pages


@pytest.mark.django_db
def test_the_flow_map_labels_edges_with_traffic_and_marks_branches_nobody_took(support_client, flow):
    taken = every_path(flow)[0]
    for _ in range(3):
        walk(flow, answers=taken, started=None)
    walk(flow, answers=every_path(flow)[-1], version="older")  # another version: not on the current map
    response = support_client.get(reverse("staff:flow_map"))
    assert response.status_code == 200
    body = response.content.decode()
    svg = body.split("data-flow-map", 1)[1].split("</svg>", 1)[0]
    for source, _target, answer in edges_of(flow):
        traffic = 3 if (source, answer) in taken else 0
        group = svg.split(f'data-edge="{source}:{answer}" data-traffic="', 1)[1]
        assert group.startswith(f'{traffic}"'), (source, answer)
        row = body.split(f'<tr data-edge="{source}:{answer}"', 1)[1].split("</tr>", 1)[0]
        assert ("data-untaken" in row) == (traffic == 0)
    untaken_targets = {t for s, t, a in edges_of(flow) if (s, a) not in taken}
    for node_id in flow.nodes:
        node_group = svg.split(f'<g data-node="{node_id}"', 1)[1].split("</g>", 1)[0]
        assert f'href="/it/guide/{flow.slug}/{flow.nodes[node_id].slug}/"' in node_group
        assert f"step={node_id}" in node_group  # its slice of the dashboard
        reached = node_id == flow.start or any(flow.nodes[n].target(a) == node_id for n, a in taken)
        assert ("data-untaken" in node_group.split(">", 1)[0]) == (not reached and node_id in untaken_targets)


@pytest.mark.django_db
def test_flow_map_nodes_link_to_their_admin_text(support_client, flow, imported):
    body = support_client.get(reverse("staff:flow_map")).content.decode()
    table = body.split("data-map-nodes", 1)[1]
    for node_id in flow.nodes:
        row = table.split(f'<tr data-node="{node_id}">', 1)[1].split("</tr>", 1)[0]
        assert '/admin/content/steptext/' in row and 'data-link="admin"' in row


@pytest.mark.django_db
def test_the_flow_map_rejects_bad_dates_with_a_400(support_client):
    response = support_client.get(reverse("staff:flow_map"), {"period": "dates", "start": "nope"})
    assert response.status_code == 400 and "data-form-errors" in response.content.decode()


@pytest.mark.django_db
def test_step_links_list_every_step_as_a_tree_with_a_permalink_per_language(support_client, flow):
    body = support_client.get(reverse("staff:links")).content.decode()
    tree = body.split("data-step-tree", 1)[1]
    for node_id, node in flow.nodes.items():
        assert f'data-node="{node_id}"' in tree
        assert f'value="http://testserver/it/guide/{flow.slug}/{node.slug}/"' in tree
        assert f'value="http://testserver/en/guide/{flow.slug}/{node.slug}/"' in tree
    # Copy buttons need JavaScript, so they start hidden; the fields are plain selectable text.
    assert 'readonly id="link-' in tree and 'data-copy-field="link-' in tree and "hidden>" in tree
    assert "<script>" not in body and "onclick" not in body
    starts = [chunk.split('"', 1)[0] for chunk in tree.split('data-node="')[1:]]
    assert starts[0] == flow.start


@pytest.mark.django_db
def test_a_step_reached_from_two_branches_is_listed_once_with_links(support_client, flow):
    body = support_client.get(reverse("staff:links")).content.decode()
    for node_id in flow.nodes:
        assert body.count(f'id="link-{node_id}-it"') == 1
