import pytest


@pytest.fixture(autouse=True)
def _request_context(app, _app_context):
    """Messages are translated lazily in the reader's language, which needs a request."""
    with app.test_request_context():
        yield
