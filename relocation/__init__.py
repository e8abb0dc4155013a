"""Host institutions, temporary relocations and stipends."""
