"""HTML pages for people (not API clients): the OAuth authorize page."""
