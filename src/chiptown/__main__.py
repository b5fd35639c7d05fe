"""`python -m chiptown` is the same as the `chiptown` console script."""

from chiptown.manage import main

main()
