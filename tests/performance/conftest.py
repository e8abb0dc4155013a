"""The lists' fixtures, borrowed from the apps that make their rows."""

from tests.alerts.conftest import alert_in, consent_for  # noqa: F401
from tests.grants.conftest import grant_in, hotline_grant  # noqa: F401
from tests.relocation.conftest import applied, host_of, relocation_in  # noqa: F401
