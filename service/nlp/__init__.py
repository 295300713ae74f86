"""Language tools: detection, word forms, name transliteration and sentence vectors; imports nothing else
of the service."""
