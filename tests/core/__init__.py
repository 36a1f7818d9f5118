"""The shared vocabulary: JSON, addresses and URLs, background loops."""
