"""Access: who may see and act on which unit, campaign, application, assignment, result,
cultivation project and export. `rules` holds the predicates, `scopes` the querysets built on
them, `views` the one decorator views use. Sits on the bottom floor beside orgs and accounts."""
