"""ChipTown: the platform industrial parks use to grow an automotive-chip industry."""
