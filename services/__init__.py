"""KIM Platform services: registry, broadcast, aspirations, gateway and their common plumbing."""
