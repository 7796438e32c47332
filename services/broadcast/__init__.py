"""Broadcast: government information to exactly the groups it concerns."""
