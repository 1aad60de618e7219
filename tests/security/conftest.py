import pytest

from tests.security.world import make_world


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the stored image the attachment route serves
    return make_world()
