"""Public routes of alerts: the list /alerts/, one alert /alerts/<slug>/ and the Atom feed
/alerts/feed/, each also under /<lang>/ (the staff desk is alerts/urls.py, under /alert-desk/)."""

from __future__ import annotations

from protect.public.pages import public_path, public_re_path

from . import public_views
from .models import SLUG_ALPHABET, SLUG_LENGTH

urlpatterns = [
    *public_path("alerts/", public_views.alert_list, name="alerts-public"),
    *public_path("alerts/feed/", public_views.alert_feed, name="alerts-feed"),
    *public_re_path(rf"alerts/(?P<slug>[{SLUG_ALPHABET}]{{{SLUG_LENGTH}}})/", public_views.alert_detail,
                    name="alerts-public-alert"),
]
