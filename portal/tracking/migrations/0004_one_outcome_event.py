"""Old versions logged an outcome on every view of an outcome page: keep the first of each, then forbid repeats.

Also fills the new analytics fields of old sessions (`outcome_at` from their first outcome event, `last_node`
from their outcome or entry), so the dashboard reads one shape of data.
"""

from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def forwards(apps, schema_editor):
    SessionEvent = apps.get_model("tracking", "SessionEvent")
    FlowSession = apps.get_model("tracking", "FlowSession")
    outcomes = SessionEvent.objects.filter(kind="outcome")
    firsts = outcomes.values("session_id", "node_id").annotate(first=Min("id")).values("first")
    outcomes.exclude(id__in=firsts).delete()
    first_outcome = outcomes.filter(session_id=OuterRef("pk")).order_by("id").values("at")[:1]
    FlowSession.objects.filter(outcome_at__isnull=True).exclude(outcome_kind="").update(
        outcome_at=Subquery(first_outcome)
    )
    FlowSession.objects.filter(last_node="").exclude(outcome_node="").update(last_node=models.F("outcome_node"))
    FlowSession.objects.filter(last_node="").update(last_node=models.F("entry_node"))


class Migration(migrations.Migration):

    dependencies = [
        ("tracking", "0003_counts_people"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="sessionevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "outcome")), fields=("session", "node_id"), name="event_one_outcome_per_node"
            ),
        ),
    ]
