"""Background jobs of the conference: thin wrappers that run a service and report progress on a core Job.
Each part adds its own block."""

# --- Programme: telling people what changed when a version is published ------------------------------------------

# --- Seats: passing on a freed seat whose offer ran out -----------------------------------------------------------

# --- Registration: badge emails in bulk ---------------------------------------------------------------------------
