"""Urgent alerts: consent, translations, review, publication, distribution."""
