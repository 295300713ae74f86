"""HTML pages for people: conflicts and a topic's sides, side by side, with no scripts."""
