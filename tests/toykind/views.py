"""The toy's case page (a line of text) and the kernel's case-file pages mounted on it."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from protect.accounts.permissions import role_required
from protect.accounts.roles import Role
from protect.cases.views import CaseViews, case_or_404

from .models import Toy

ROLES = (Role.CASEWORKER, Role.REVIEWER, Role.FINANCE, Role.COORDINATOR)


def render_case(request: HttpRequest, case: Any, *, status: int = 200, bound: Any = None,
                confidential: bool = False) -> HttpResponse:
    story = case.story if confidential else "(hidden)"
    return HttpResponse(f"{case.reference} {case.status} {story}", status=status, content_type="text/plain")


@role_required(*ROLES)
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _FILE.render(request, case_or_404(request, Toy, reference))


_FILE = CaseViews(Toy, render_case, ROLES, ["story"])
case_note, case_upload, case_file, case_reveal = _FILE.note(), _FILE.upload(), _FILE.download(), _FILE.reveal()
case_reissue_receipt = _FILE.reissue_receipt()
