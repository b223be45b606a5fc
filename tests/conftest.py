import pytest

from portal.flows.registry import get_flow


@pytest.fixture
def flow():
    """The real guide, loaded from kb/ as the site loads it."""
    return get_flow("blocked-number")
