"""Custom NLU: place extraction with roles, and the deterministic safety net."""
