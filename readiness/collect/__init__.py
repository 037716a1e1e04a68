"""Graph -> Snapshot: one collector per area, everything raw JSON, written into one file."""
