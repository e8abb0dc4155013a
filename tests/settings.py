"""The project's settings plus what exists only in the tests: the toy kind of case and its pages."""

import os
from urllib.parse import urlparse

# Under pytest-xdist each test process gets a Redis database of its own (the next ones after
# REDIS_URL's), as it gets a PostgreSQL database of its own: a test that empties the cache must
# not empty another process's throttle counts. Set before the settings read it, so the workers
# and servers a test starts inherit the same one (and, loading these settings too, keep it).
_process = os.environ.get("PYTEST_XDIST_WORKER", "")
if _process.startswith("gw") and os.environ.get("REDIS_URL") and os.environ.get("PROTECT_TEST_REDIS_FOR") != _process:
    _redis = urlparse(os.environ["REDIS_URL"])
    _base = int(_redis.path.strip("/") or 0)
    os.environ["REDIS_URL"] = _redis._replace(path=f"/{(_base + 1 + int(_process[2:])) % 16}").geturl()
    os.environ["PROTECT_TEST_REDIS_FOR"] = _process

from protect.settings import *  # noqa: E402, F403
from protect.settings import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.toykind"]
ROOT_URLCONF = "tests.urls"
