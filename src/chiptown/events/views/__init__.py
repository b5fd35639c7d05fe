"""Conference pages, one module per part, like services/."""
