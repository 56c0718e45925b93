"""Unit management for organizers and system administrators: the unit tree of their region and
the Excel import of units. The units themselves (the model and the tree) are `orgs`, on the
bottom floor; these pages sit above `access`, which decides whose tree it is."""
