"""The project's settings plus what exists only in the tests: the toy kind of case and its pages."""

from protect.settings import *  # noqa: F403
from protect.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.toykind"]
ROOT_URLCONF = "tests.urls"
