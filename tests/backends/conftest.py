"""Shared fixtures: the numpy and torch backends."""
import pytest

from statestream.backends import get_backend


@pytest.fixture(scope="session")
def np_b():
    return get_backend("numpy")


@pytest.fixture(scope="session")
def torch_b():
    return get_backend("torch")


@pytest.fixture(params=["numpy", "torch"], scope="session")
def backend(request):
    return get_backend(request.param)

