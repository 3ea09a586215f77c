"""Reference data that the booking and statistics apps share: the language table
(`languages`, its own data in `language_table`), Norway's counties and municipalities (`geo`) and
the validators of organisation numbers and municipality codes (`validators`). Imports neither app
(`[tool.importlinter]` in pyproject.toml keeps it so)."""
