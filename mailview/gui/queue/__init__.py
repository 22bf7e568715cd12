"""The triage queue: many messages as rows, grouped into campaigns, marked by the analyst."""
