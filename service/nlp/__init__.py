"""Language tools: detection, word forms, names across scripts, sentence vectors; imports nothing of the service."""
