"""The engine: compiles the law in force on a date and applies it to facts (interpreter and Polars backends)."""
