"""Law packs: Pydantic models, YAML loading with line numbers, dated selection, diffs between dates."""
