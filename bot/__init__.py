"""The project's own library: knowledge base, places, rendering, NLU components, channels, CLI."""
