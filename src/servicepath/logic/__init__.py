"""Three-valued (Kleene) logic and calendar arithmetic, shared by every backend."""
