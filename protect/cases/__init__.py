"""The case kernel: what every kind of request (grant, relocation, alert) shares."""
