"""What may this user see and do: the role checks every selector, view and API view uses.

Roles are Django groups named after `Role` values; they are compared by those constants, never by
a translated label. Who holds which role is answered by `User.role_names()` alone (an active
superuser is a coordinator there); the checks below only ask it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .roles import Role
from .second_factor import second_factor_url

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def has_role(user: Any, role: Role | str) -> bool:
    """True when `user` is an active, authenticated account holding `role`."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.has_role(str(role)))


def has_any_role(user: Any, roles: Iterable[Role | str]) -> bool:
    return any(has_role(user, role) for role in roles)


def is_coordinator(user: Any) -> bool:
    return has_role(user, Role.COORDINATOR)


def is_second_factor_verified(user: Any) -> bool:
    """True once the user passed the second factor in this session (django-otp's OTPMiddleware)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def role_required(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a function view: anonymous → login page; logged in without any of `roles` → 403.

    The view is also refused to a session that has not passed the second factor, even though the
    middleware already sends such sessions away: a view marked exempt by mistake stays closed."""
    if not roles:
        raise ValueError("role_required needs at least one role")
    wanted = tuple(sorted({Role(role) for role in roles}))  # a named set's order varies between processes

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_second_factor_verified(user):
                return HttpResponseRedirect(second_factor_url(user, request.get_full_path()))
            if not has_any_role(user, wanted):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = wanted  # type: ignore[attr-defined]  # read by the permission matrix
        return wrapped  # type: ignore[return-value]

    return decorator


class HasRole(BasePermission):
    """DRF permission: the request's user holds one of the view's roles.

    Configure per view, either `permission_classes = [HasRole]` with `required_roles = (Role.PARTNER,)`
    on the view, or `permission_classes = [HasRole.of(Role.PARTNER)]`. A view that names no role is
    refused to everyone (a forgotten configuration must not open the door)."""

    roles: tuple[Role, ...] = ()
    message = "You are not allowed to do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        roles = self.roles or tuple(getattr(view, "required_roles", ()))
        return bool(roles) and has_any_role(request.user, roles)

    @classmethod
    def of(cls, *roles: Role) -> type[HasRole]:
        if not roles:
            raise ValueError("HasRole.of needs at least one role")
        wanted = tuple(sorted({Role(role) for role in roles}))
        name = "HasRole_" + "_".join(role.value for role in wanted)
        return type(name, (cls,), {"roles": wanted})
