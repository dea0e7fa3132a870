"""Procedural pictures of anatomy for the synthetic studies (numpy, scipy.ndimage, Pillow)."""
