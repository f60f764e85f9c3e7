"""A case's Temporal history for auditors: every run, decoded, as a timeline, as of a moment,
verified by replay, and exported with its SHA-256."""
