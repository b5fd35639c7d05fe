"""Competition pages, one module per part (entries, judging, results), like services/."""
