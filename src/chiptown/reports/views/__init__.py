"""The reports app's pages, one module per part: editions (the annual report), analyses (the chain analytics,
bills of materials and the operators' dashboard) and scenarios (the disruption runner)."""
