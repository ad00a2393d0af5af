"""Typed records shared by every stage (the bottom layer: imports nothing else of pufa
except errors/yamlio)."""
