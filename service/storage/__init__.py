"""Storage: models, database binding, migrations, version ETags, cursors; imports nothing of the domain or faces."""
