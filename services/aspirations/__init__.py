"""Aspirations: citizens' voices in, routed, answered and carried back."""
