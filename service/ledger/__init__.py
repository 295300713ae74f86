"""The domain: claims, speakers, sources, topics, reviews, conflicts, keys, events; owns transactions; no Flask."""
