import pytest

from tests.reports.conftest import use_broker


@pytest.fixture(autouse=True, scope="session")
def _in_memory_broker():
    """Tasks enqueued here without a worker go to memory (the process tests start their own brokers)."""
    use_broker("memory://")
    yield
