"""The rule language: grammar, parser, typed expression tree and type checker. Knows nothing of law."""
