"""Settings for bench/api_reads.py: the project's own, plus the two comparison views' routes and a
throttle the load never reaches."""

from protect.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
PROTECT_API_RATE = "1000000/minute"
