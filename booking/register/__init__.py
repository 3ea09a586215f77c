"""The National Register of Interpreters: interpreters, their entries per language and status
events, the register import, the register search and the public card check."""
