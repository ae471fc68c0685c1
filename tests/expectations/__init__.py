"""Hand-written expectations shared by the recorded tier and the container tier (never the collection's output)."""
