"""Domain functions: keyword-only, typed, flushing but never committing (the request commits)."""
