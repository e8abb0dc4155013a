"""The accounts tests use the shared cast in tests/conftest.py."""
