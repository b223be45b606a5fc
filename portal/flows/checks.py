"""System check: a broken flow stops `manage.py check`, runserver and the test run, naming file and node."""

from django.core.checks import Error, register

from .loader import FlowError
from .registry import _load


@register("flows")
def check_flows(app_configs=None, **kwargs):
    try:
        _load()
    except FlowError as error:
        return [Error(str(problem), id="flows.E001") for problem in error.problems]
    return []
