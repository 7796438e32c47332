"""Registry: the regions (master data) and, later, every KIM in them."""
