"""Uploaded files, checked one way everywhere: evidence, stamped scans and implementation plans
all go through `files.checks.check_upload`, so a rule added there (a type, a structure check)
protects every page that accepts a file. No models; sits on the lowest floor above the engine
so that any app which accepts files can import it."""
