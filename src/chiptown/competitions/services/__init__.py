"""Every write of the competition, one module per part: entries (applications, nominations, screening),
assignment (conflicts, solver runs, pins), reviews (scoring), results (decisions, publication, certificates).
The app is large enough that one services.py would be thousands of lines; the split keeps each part readable."""
