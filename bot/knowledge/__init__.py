"""The knowledge base: schema, loader and typed queries over knowledge/*.yml."""

from bot.knowledge.base import KnowledgeBase, Route, SearchResult, load_knowledge
from bot.knowledge.loader import KnowledgeError

__all__ = ["KnowledgeBase", "KnowledgeError", "Route", "SearchResult", "load_knowledge"]
