"""The kernel's use cases, one module per job: intake, routing, requester access, the case file
(notes, messages, files, reveals) and the SLA sweep. The only code that writes shared case rows."""
