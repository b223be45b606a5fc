from django import forms
from django.utils.translation import gettext_lazy as _

from portal.content.steps import StepText
from portal.flows.model import CONTINUE, Node


class AnswerForm(forms.Form):
    """One node's answer: a radio choice for a question, a fixed "continue" for an info step."""

    answer = forms.ChoiceField(
        error_messages={
            "required": _("Choose an answer."),
            "invalid_choice": _("That answer is not one of the choices. Choose one of the answers below."),
        },
    )

    def __init__(self, node: Node, text: StepText, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if node.is_info:
            self.fields["answer"].choices = [(CONTINUE, CONTINUE)]
        else:
            self.fields["answer"].choices = [(answer.id, text.answers[answer.id]) for answer in node.answers]
