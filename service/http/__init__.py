"""The HTTP face: app factory, API blueprints, web pages and embeds, request middleware; may import every layer."""
