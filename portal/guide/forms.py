from django import forms
from django.utils.translation import gettext_lazy as _

from portal.flows.model import CONTINUE, Node


class AnswerForm(forms.Form):
    """One node's answer: a radio choice for a question, a fixed "continue" for an info step."""

    answer = forms.ChoiceField(
        error_messages={
            "required": _("Choose an answer."),
            "invalid_choice": _("That answer is not one of the choices. Choose one of the answers below."),
        },
    )

    def __init__(self, node: Node, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [CONTINUE] if node.is_info else [answer.id for answer in node.answers]
        # Labels are the template's job (they come from the step texts); validation only needs the ids.
        self.fields["answer"].choices = [(answer_id, answer_id) for answer_id in ids]
