"""Review and selection pages, one module per audience. Thin: look up scoped objects (another
unit's → 404), validate the action's form, call one service, show its message."""
