"""Emergency grants: intake, workflow, routing, disbursement, reporting."""
