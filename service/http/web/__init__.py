"""HTML for people and for other sites: side-by-side pages, embeds and the headers they share."""
