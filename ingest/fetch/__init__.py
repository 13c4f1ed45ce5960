"""Fetch a council's published decisions from its ModernGov site into a mirror (``councilqa fetch``)."""
