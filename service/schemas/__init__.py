"""marshmallow schemas for the HTTP face, by resource: input, query and output shapes kept apart."""
