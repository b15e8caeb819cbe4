"""Every user-visible string has a Thai translation, in every catalogue."""
import pytest

from app.core.cli import missing_translations, parts


@pytest.mark.parametrize("part", parts())
def test_thai_catalogue_is_complete(part):
    assert missing_translations(part, "th") == []
