"""HTML for people and for other sites: pages, embeds and the headers they share."""
