"""The requester's status page, /request/status/ and /<lang>/request/status/: one for every kind; and
/request/received/, what to do after the receipt was shown (its language links lead there)."""

from protect.public.pages import public_path

from . import status_page

urlpatterns = [
    *public_path("request/status/", status_page.request_status, name="request-status"),
    *public_path("request/status/leave/", status_page.request_status_leave, name="request-status-leave"),
    *public_path("request/received/", status_page.receipt_shown, name="request-received"),
]
