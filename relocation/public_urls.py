"""Routes of the relocation application: /relocation/apply/ in English, /<lang>/relocation/apply/
for each site language (the status page is the kernel's, protect/cases/public_urls.py)."""

from __future__ import annotations

from protect.public.pages import public_path

from . import public_views

urlpatterns = [
    *public_path("relocation/apply/", public_views.application_form, name="relocation-apply"),
]
