"""Language tools: detection, word forms, name transliteration and sentence vectors; imports nothing else of the service."""  # noqa: E501 (the docstring is the package's contract, kept on one line)
