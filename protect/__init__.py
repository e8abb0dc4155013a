"""Protect: case management for an emergency protection mechanism for human rights defenders."""

from .celery import app as celery_app

__all__ = ("celery_app",)
