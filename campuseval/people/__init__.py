"""Accounts as a bureau manages them: the system administrator over every unit, a unit's
administrator over its own units — list, search, create, disable, roles, password resets."""
